import Foundation
import LayerwiseHDF5

/// Imports numeric tables — CSV and NumPy `.npy` files — to `GROUP/features` `[N, D]`
/// (float32; uint8 arrays stay uint8 so `scale: unit` still knows to divide by 255)
/// and optional `GROUP/labels` int64 `[N]`.
public enum TableImporter {
    /// What `import csv` does with columns beyond the feature numbers.
    public struct CSVColumns: Sendable {
        /// The column split off as labels: a 0-based index, or a name from the header line.
        public var label: String?
        /// The first line holds column names.
        public var header: Bool
        /// Columns left out (an index or a header name each).
        public var drop: [String]
        /// A column kept as `GROUP/ids` (int64 when every cell is an integer, else strings), not a feature.
        public var id: String?
        /// The classes in order (`--classes`): label cells equal to the i-th (as text, or as
        /// the same number) become class i, and the list is stored as the class names.
        public var classes: [String]?

        public init(label: String?, header: Bool, drop: [String] = [], id: String? = nil, classes: [String]? = nil) {
            self.label = label
            self.header = header
            self.drop = drop
            self.id = id
            self.classes = classes
        }
    }

    /// A label cell as read: a whole number, or a name.
    enum LabelCell: Equatable {
        case number(Int64)
        case name(String)
    }

    /// Bad cells reported in one error, the rest counted.
    static let reportedCells = 10

    /// A CSV of numbers, one row per sample, comma-separated, with optional string class
    /// names in the label column, dropped columns and an id column.
    ///
    /// Labels: with `columns.classes`, each cell must be one of them; else, when appending
    /// to a file whose labels carry `class_names`, the same names map to the same classes;
    /// else a column holding any name maps its distinct names to classes in sorted order
    /// (`-1` stays unlabeled); else the labels are the numbers themselves.
    /// - Throws: `InputError` naming the file, line and column of up to 10 bad cells.
    public static func importCSV(
        _ path: String, columns: CSVColumns, output: String, group: String,
        append: Bool, force: Bool = false, compression: Int = 4
    ) throws -> ImportReport {
        let csv = try CSVReader(contentsOf: path)
        let out = ImportOutput(destination: output, group: group, append: append, force: force, compression: compression)
        var names: [String] = []
        var roles: [Role]? = nil
        var features: [Float] = []
        var labelCells: [LabelCell] = []
        var ids: [String] = []
        var lines: [Int64] = []
        var width: Int?
        var bad: [String] = [], badCount = 0
        try csv.forEachLine { line, cells in
            if columns.header && names.isEmpty && width == nil {
                names = cells.map(csv.fullText)
                return
            }
            let r = try roles ?? resolveRoles(columns, names: names, cells: cells.count, path: path, line: line)
            roles = r
            guard cells.count == r.count else {
                if let l = r.firstIndex(of: .label), l >= cells.count {
                    throw InputError(
                        "\(path): line \(line) has \(cells.count) columns (0…\(cells.count - 1)), "
                            + "no label column \(l) (--label-column counts from 0)")
                }
                let kept = r.filter { $0 == .feature }.count
                throw InputError(
                    "\(path): line \(line) has \(cells.count) columns, earlier lines \(r.count) (\(kept) feature columns)")
            }
            let cellError = CSVCellError(path: path, line: line, names: names, firstRow: width == nil && !columns.header)
            func report(_ message: String) {
                if bad.count < reportedCells { bad.append(message) }
                badCount += 1
            }
            var count = 0
            lines.append(Int64(line))
            for (c, cell) in cells.enumerated() {
                switch r[c] {
                case .drop:
                    continue
                case .id:
                    ids.append(csv.fullText(cell))
                case .label:
                    if let l = csv.integer(cell) ?? csv.double(cell).flatMap(LabelValue.whole) {
                        labelCells.append(.number(l))
                    } else {
                        let t = csv.fullText(cell)
                        let number = csv.double(cell) != nil  // 2.5, nan, inf: numbers that are not classes
                        if t.isEmpty || CSVCellError.missingMarkers.contains(t.lowercased()) || number {
                            report(cellError.label(csv.text(cell), column: c, row: labelCells.count))
                        }
                        labelCells.append(.name(t))
                    }
                case .feature:
                    if let v = csv.float(cell) {
                        features.append(v)
                    } else {
                        report(cellError.feature(csv.text(cell), column: c)); features.append(0)
                    }
                    count += 1
                }
            }
            width = count
        }
        if let first = bad.first {
            let more = bad.dropFirst().map { $0.replacingOccurrences(of: "\(path): ", with: "") }
            throw InputError(
                badCount == 1
                    ? first
                    : first + "; \(badCount - 1) more bad cell\(badCount > 2 ? "s" : ""): " + more.joined(separator: "; ")
                        + (badCount > reportedCells ? "; …" : ""))
        }
        guard let w = width, w > 0 else { throw InputError("\(path): no data rows") }
        let hasLabels = roles?.contains(.label) ?? false
        let (labels, classNames) =
            hasLabels ? try mapLabels(labelCells, classes: columns.classes ?? out.existingClassNames(), path: path) : (nil, nil)
        var warnings: [String] = []
        if let r = roles { warnings += idLikeColumns(features, width: w, roles: r, names: names, path: path) }
        let kept = (roles ?? []).enumerated().filter { $0.element == .feature }.map(\.offset)
        return try out.write(
            features: "features", of: "float32", width: w, labels: labels, classNames: classNames, warnings: warnings
        ) { g in
            try g.write("features", features, shape: [features.count / w, w], compression: compression)
            try g.setAttribute("source", path)
            // A header line may hold fewer names than the rows hold cells.
            if !names.isEmpty { try g.setAttribute("columns", kept.map { $0 < names.count ? names[$0] : "column_\($0)" }) }
            // Each feature's column in the file (0-based), whatever was dropped.
            try g.setAttribute("source_columns", kept.map(Int64.init))
            // Each row's line in the file (1-based, as editors count), so a row can be found there again.
            try g.write("source_line", lines, shape: [lines.count], compression: compression)
            if !ids.isEmpty {
                let numbers = ids.compactMap { Int64($0) }
                if numbers.count == ids.count {
                    try g.write("ids", numbers, shape: [numbers.count], compression: compression)
                } else {
                    try g.write("ids", strings: ids)
                }
            }
        }
    }

    /// What each column of the file is.
    enum Role: Equatable { case feature, label, drop, id }

    /// Each column's role from the options, checked against the first data line's `cells` columns.
    private static func resolveRoles(_ columns: CSVColumns, names: [String], cells: Int, path: String, line: Int) throws -> [Role] {
        var roles = [Role](repeating: .feature, count: cells)
        func place(_ spec: String, _ option: String, _ role: Role) throws {
            let i = try resolveColumn(spec, option: option, names: names, header: columns.header, path: path)
            if role == .label && i >= cells {
                throw InputError(
                    "\(path): line \(line) has \(cells) columns (0…\(cells - 1)), no label column \(i) (--label-column counts from 0)")
            }
            guard i < cells else {
                throw InputError("\(option) \(spec): \(path) has \(cells) columns (0…\(cells - 1); columns count from 0)")
            }
            if roles[i] != .feature {
                throw InputError(
                    "\(option) \(spec): column \(i) is already the \(roles[i] == .label ? "label" : roles[i] == .id ? "id" : "dropped") column"
                )
            }
            roles[i] = role
        }
        if let l = columns.label { try place(l, "--label-column", .label) }
        if let i = columns.id { try place(i, "--id-column", .id) }
        for d in columns.drop { try place(d, "--drop-column", .drop) }
        guard roles.contains(.feature) else { throw InputError("\(path): no feature column is left") }
        return roles
    }

    /// Label cells as class indices, and the class names when the labels are names or `classes` is given.
    static func mapLabels(_ cells: [LabelCell], classes: [String]?, path: String) throws -> ([Int64], [String]?) {
        let names = cells.compactMap { if case .name(let n) = $0 { return n } else { return nil } }
        guard classes != nil || !names.isEmpty else {
            return (cells.map { if case .number(let v) = $0 { return v } else { return -1 } }, nil)
        }
        let list = classes ?? Array(Set(names)).sorted()
        var index: [String: Int64] = [:]
        for (i, n) in list.enumerated() where index[n] == nil { index[n] = Int64(i) }
        let numeric = list.enumerated().compactMap { i, n in Double(n).map { ($0, Int64(i)) } }
        var out = [Int64](repeating: -1, count: cells.count)
        for (row, cell) in cells.enumerated() {
            switch cell {
            case .name(let n):
                guard let c = index[n] else {
                    throw InputError(
                        "\(path): label '\(n)' at row \(row) is not one of the classes \(list.joined(separator: ", "))"
                            + (classes == nil ? "" : " (--classes, or the class names already in the file)"))
                }
                out[row] = c
            case .number(let v):
                if v == -1 && index["-1"] == nil { continue }
                guard let c = index[String(v)] ?? numeric.first(where: { $0.0 == Double(v) })?.1 else {
                    throw InputError(
                        "\(path): label \(v) at row \(row) is not one of the classes \(list.joined(separator: ", "))"
                            + " (--classes, or the class names already in the file; -1 marks an unlabeled row)")
                }
                out[row] = c
            }
        }
        return (out, list)
    }

    /// Warnings for kept feature columns that hold strictly increasing integers (a row id imported as a feature).
    private static func idLikeColumns(_ x: [Float], width: Int, roles: [Role], names: [String], path: String) -> [String] {
        let rows = x.count / width
        guard rows >= 3 else { return [] }
        let kept = roles.enumerated().filter { $0.element == .feature }.map(\.offset)
        var out: [String] = []
        for (j, column) in kept.enumerated() {
            var increasing = true
            for r in 0..<rows {
                let v = x[r * width + j]
                if v != v.rounded() || (r > 0 && v <= x[(r - 1) * width + j]) { increasing = false; break }
            }
            if increasing {
                let name = column < names.count ? " '\(names[column])'" : ""
                out.append(
                    "\(path): column \(column)\(name) holds strictly increasing integers, like a row id, and is imported as a "
                        + "feature; leave it out with --drop-column \(column), or keep it beside the rows with --id-column \(column)")
            }
        }
        return out
    }

    /// A column given as a 0-based index or a header name.
    private static func resolveColumn(_ column: String, option: String, names: [String], header: Bool, path: String) throws -> Int {
        if let i = Int(column) {
            guard i >= 0 else { throw InputError("\(option): expected a column index counting from 0, or a name, got \(i)") }
            return i
        }
        guard header else { throw InputError("\(option) '\(column)': a column name needs --header (or give a 0-based index)") }
        guard let i = names.firstIndex(of: column) else {
            throw InputError("\(path): no column '\(column)' in the header (columns: \(names.joined(separator: ", ")))")
        }
        return i
    }

    /// A `.npy` array of rank ≥ 1 (rank 1 becomes `[N, 1]`; higher ranks flatten to
    /// `[N, D]`), plus optional integer labels `[N]` from a second `.npy` file.
    public static func importNPY(
        _ path: String, labels: String?, classes: [String]? = nil, output: String, group: String, append: Bool,
        force: Bool = false, compression: Int = 4
    ) throws -> ImportReport {
        let array = try NPYArray(contentsOf: path)
        let n = array.shape[0], d = array.shape.dropFirst().reduce(1, *)
        var labelValues: [Int64]? = nil
        if let labels {
            let l = try NPYArray(contentsOf: labels)
            guard l.shape.count == 1 || (l.shape.count == 2 && l.shape[1] == 1), l.shape[0] == n else {
                throw InputError("\(labels): expected \(n) labels of shape [N] for \(path), got shape \(l.shape)")
            }
            // Float labels holding whole numbers (sklearn often gives float64 y) are accepted exactly; 1.5 is not a class.
            let values = l.values { $0 }
            if let bad = values.firstIndex(where: { LabelValue.whole($0) == nil }) {
                throw InputError("\(labels): " + LabelValue.notWhole(LabelValue.text(values[bad]), row: bad))
            }
            labelValues = values.map { LabelValue.whole($0) ?? -1 }
        }
        let isBytes = array.element == .uint8
        let out = ImportOutput(destination: output, group: group, append: append, force: force, compression: compression)
        var classNames: [String]? = nil
        if let values = labelValues, let list = classes ?? out.existingClassNames() {
            (labelValues, classNames) = try mapLabels(values.map(LabelCell.number), classes: list, path: labels ?? path)
        } else if classes != nil {
            throw InputError("--classes: needs --labels (the classes are given to the labels)")
        }
        return try out.write(
            features: "features", of: isBytes ? "uint8" : "float32", width: d, labels: labelValues, classNames: classNames
        ) { g in
            if isBytes {
                try g.write("features", array.bytes, shape: [n, d], compression: compression)
            } else {
                let values = array.values { Float($0) }
                if let bad = values.firstIndex(where: { !$0.isFinite }) {
                    throw InputError(
                        "\(path): row \(bad / d), column \(bad % d) is \(values[bad]); features must be finite numbers (float32)")
                }
                try g.write("features", values, shape: [n, d], compression: compression)
            }
            try g.setAttribute("source", path)
            try g.setAttribute("source_shape", array.shape.map(Int64.init))
            try g.setAttribute("source_dtype", array.element.rawValue)
        }
    }
}

/// What went wrong in one CSV cell, said so that the user knows what to do: where it is
/// (line from 1 as editors count, column from 0 as `--label-column` and NumPy count, with
/// its header name), and what the cell is — empty or a missing-value marker (cannot be
/// imported: fill or drop first), a name on the first line (add `--header`), or not a number.
struct CSVCellError {
    let path: String
    let line: Int
    let names: [String]
    /// The first data line of a file read without `--header`: a name there is probably a header.
    let firstRow: Bool

    /// Cells pandas, R and spreadsheets write for a missing value (compared lowercased).
    static let missingMarkers: Set<String> = ["nan", "-nan", "na", "n/a", "nat", "null", "none", "?", "-", "#n/a"]

    func place(_ column: Int) -> String {
        let name = column < names.count ? " '\(names[column])'" : ""
        return "\(path): line \(line), column \(column)\(name) (0-based)"
    }

    func feature(_ text: String, column: Int) -> String {
        let place = place(column)
        if text.isEmpty {
            return
                "\(place): empty cell; every feature cell must hold a number (missing values cannot be imported: fill or drop them first)"
        }
        let lower = text.lowercased()
        if Self.missingMarkers.contains(lower) {
            return "\(place): '\(text)' marks a missing value, which cannot be imported: fill or drop those rows first"
        }
        if ["inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"].contains(lower) {
            return "\(place): '\(text)' is not finite; every feature must be a finite number"
        }
        if firstRow && text.contains(where: \.isLetter) {
            return "\(place): '\(text)' is not a number; if line \(line) holds column names, add --header"
        }
        return "\(place): '\(text)' is not a number"
    }

    func label(_ text: String, column: Int, row: Int) -> String {
        let place = place(column)
        if text.isEmpty || Self.missingMarkers.contains(text.lowercased()) {
            let what = text.isEmpty ? "empty label cell" : "'\(text)' marks a missing label"
            return "\(place): \(what); write -1 for an unlabeled row"
        }
        if firstRow && text.contains(where: \.isLetter) && !["inf", "-inf", "infinity"].contains(text.lowercased()) {
            return "\(place): label '\(text)' is not a number; if line \(line) holds column names, add --header"
        }
        return "\(place): " + LabelValue.notWhole("'\(text)'", row: row)
    }
}
