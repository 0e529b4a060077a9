import Foundation
import LayerwiseHDF5

/// Imports numeric tables — CSV and NumPy `.npy` files — to `GROUP/features` `[N, D]`
/// (float32; uint8 arrays stay uint8 so `scale: unit` still knows to divide by 255)
/// and optional `GROUP/labels` int64 `[N]`.
public enum TableImporter {
    /// A CSV of numbers, one row per sample, comma-separated.
    ///
    /// - Parameter labelColumn: the column split off as integer labels: a 0-based
    ///   index, or a name from the header line (which then must be present).
    /// - Throws: `InputError` naming the file, line and column of the first bad cell.
    public static func importCSV(
        _ path: String, labelColumn: String?, header: Bool, output: String, group: String,
        append: Bool, compression: Int = 4
    ) throws -> String {
        let csv = try CSVReader(contentsOf: path)
        var names: [String] = []
        var labelIndex: Int? = nil
        var features: [Float] = []
        var labels: [Int64] = []
        var width: Int?
        try csv.forEachLine { line, cells in
            if header && names.isEmpty && width == nil {
                names = cells.map(csv.text)
                return
            }
            if width == nil, let labelColumn {
                labelIndex = try resolveColumn(labelColumn, names: names, header: header, path: path)
            }
            if let labelIndex, labelIndex >= cells.count {
                throw InputError(
                    "\(path): line \(line) has \(cells.count) columns (0…\(cells.count - 1)), "
                        + "no label column \(labelIndex) (--label-column counts from 0)")
            }
            let cellError = CSVCellError(path: path, line: line, names: names, firstRow: width == nil && !header)
            var count = 0
            for (c, cell) in cells.enumerated() {
                if c == labelIndex {
                    guard let l = csv.integer(cell) ?? csv.double(cell).flatMap(LabelValue.whole) else {
                        throw InputError(cellError.label(csv.text(cell), column: c, row: labels.count))
                    }
                    labels.append(l)
                } else {
                    guard let v = csv.float(cell) else { throw InputError(cellError.feature(csv.text(cell), column: c)) }
                    features.append(v)
                    count += 1
                }
            }
            if let w = width, w != count {
                throw InputError("\(path): line \(line) has \(count) feature columns, earlier lines \(w)")
            }
            width = count
        }
        guard let w = width, w > 0 else { throw InputError("\(path): no data rows") }
        let out = ImportOutput(destination: output, group: group, append: append, compression: compression)
        return try out.write(features: "features", of: "float32", width: w, labels: labelIndex == nil ? nil : labels) { g in
            try g.write("features", features, shape: [features.count / w, w], compression: compression)
            try g.setAttribute("source", path)
            if !names.isEmpty { try g.setAttribute("columns", names.enumerated().filter { $0.offset != labelIndex }.map(\.element)) }
        }
    }

    /// A label column given as a 0-based index or a header name.
    private static func resolveColumn(_ column: String, names: [String], header: Bool, path: String) throws -> Int {
        if let i = Int(column) {
            guard i >= 0 else { throw InputError("--label-column: expected a column index counting from 0, or a name, got \(i)") }
            return i
        }
        guard header else { throw InputError("--label-column '\(column)': a column name needs --header (or give a 0-based index)") }
        guard let i = names.firstIndex(of: column) else {
            throw InputError("\(path): no column '\(column)' in the header (columns: \(names.joined(separator: ", ")))")
        }
        return i
    }

    /// A `.npy` array of rank ≥ 1 (rank 1 becomes `[N, 1]`; higher ranks flatten to
    /// `[N, D]`), plus optional integer labels `[N]` from a second `.npy` file.
    public static func importNPY(
        _ path: String, labels: String?, output: String, group: String, append: Bool,
        compression: Int = 4
    ) throws -> String {
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
        let out = ImportOutput(destination: output, group: group, append: append, compression: compression)
        return try out.write(features: "features", of: isBytes ? "uint8" : "float32", width: d, labels: labelValues) { g in
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
