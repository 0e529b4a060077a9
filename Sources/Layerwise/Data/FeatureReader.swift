import Foundation
import LayerwiseHDF5

/// Reads a features dataset `[N, D]` (or `[N, H, W]`, `[N, H, W, C]`, flattened to
/// `[N, D]`) and a labels dataset `[N]` from HDF5, or an array the caller holds in memory
/// (`Pipeline.train(on:)`), with the checks docs/pipeline.md describes: each failure names
/// the file and dataset.
struct FeatureReader {
    /// Rows read per hyperslab, so a large file is never converted in one piece.
    static let chunkRows = 8192

    let ref: DatasetRef
    let path: String
    private let source: Source

    /// Where the values are.
    private enum Source {
        case file(H5File, H5Dataset)
        case memory(MemoryArray)
    }

    /// The dataset of a file (nil for an array in memory).
    var dataset: H5Dataset? {
        if case .file(_, let d) = source { return d }
        return nil
    }

    /// An array held in memory, `ref` naming it in messages.
    init(_ ref: DatasetRef, memory: MemoryArray) {
        self.ref = ref
        path = ref.file
        source = .memory(memory)
    }

    init(_ ref: DatasetRef, resolvedPath: String, memoryBudget: Int = H5File.physicalMemory) throws {
        self.ref = ref
        self.path = resolvedPath
        guard FileManager.default.fileExists(atPath: resolvedPath) else {
            throw InputError("\(ref.origin.map { "\($0): " } ?? "")\(ref.file): no such file (looked for \(resolvedPath))")
        }
        let file = try H5File.open(resolvedPath, memoryBudget: memoryBudget)
        let root = try file.root
        guard root.exists(ref.dataset) else {
            var seen = Set<String>()
            let held = (try? Self.datasets(in: root, seen: &seen)) ?? []
            let list = held.prefix(12).map { "\($0.path) \($0.shape)" }.joined(separator: ", ")
            throw InputError(
                "\(ref.named): no such dataset in \(ref.file); it holds "
                    + (held.isEmpty ? "no datasets" : list + (held.count > 12 ? ", …" : "")))
        }
        source = .file(file, try root.dataset(ref.dataset))
    }

    /// Every dataset under `group`, depth first, with its shape; each group once (a link
    /// back to a parent is not followed again).
    static func datasets(in group: H5Group, seen: inout Set<String>) throws -> [(path: String, shape: [Int])] {
        if let id = group.identity, !seen.insert(id).inserted { return [] }
        if group.path.split(separator: "/").count > 32 { return [] }
        var out: [(path: String, shape: [Int])] = []
        for child in try group.children() {
            let path = group.path == "/" ? "/\(child.name)" : "\(group.path)/\(child.name)"
            switch child.kind {
            case .group: out += try datasets(in: try group.group(child.name), seen: &seen)
            case .dataset: out.append((path, try group.dataset(child.name).shape))
            default: break
            }
            if out.count > 12 { break }  // the message lists 12
        }
        return out
    }

    private var shape: [Int] {
        switch source {
        case .file(_, let d): return d.shape
        case .memory(let m): return m.shape
        }
    }
    private var elementType: H5ElementType {
        switch source {
        case .file(_, let d): return d.elementType
        case .memory: return .float32
        }
    }

    var rows: Int { shape.first ?? 0 }
    /// Features per row: the product of every dimension after the first (Int.max when a
    /// corrupt shape overflows it; `checkFeatures` refuses such a shape first).
    var width: Int {
        var p = 1
        for d in shape.dropFirst() {
            let (r, overflow) = p.multipliedReportingOverflow(by: d)
            if overflow { return .max }
            p = r
        }
        return p
    }
    var isUInt8: Bool { elementType == .uint8 }

    /// Checks the features' rank and element type.
    func checkFeatures() throws {
        guard (2...4).contains(shape.count) else {
            throw InputError("\(ref.named): expected features of shape [N, D], [N, H, W] or [N, H, W, C], got \(shape)")
        }
        guard numericTypes.contains(elementType) else {
            throw InputError("\(ref.named): expected a numeric element type (uint8, int*, float32, float64), got \(elementType.rawValue)")
        }
        // A corrupt shape (2^40 rows of a small file) fails here, naming the dataset, before any allocation.
        try checkSize(as: Float.self)
        guard rows > 0, width > 0 else { throw InputError("\(ref.named): the dataset is empty (shape \(shape))") }
    }

    /// Reads rows `range` flattened to Float, failing on NaN or infinity with the row.
    func readFeatures(_ range: Range<Int>? = nil) throws -> [Float] {
        try checkFeatures()
        let range = range ?? 0..<rows
        try checkSize(range, as: Float.self)
        var out: [Float] = []
        out.reserveCapacity(range.count * width)
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + Self.chunkRows, range.upperBound)
            let chunk = try read(start..<end)
            if let bad = chunk.firstIndex(where: { !$0.isFinite }) {
                let row = start + bad / width
                throw InputError("\(ref.named): row \(row), column \(bad % width) is \(chunk[bad]); features must be finite numbers")
            }
            out.append(contentsOf: chunk)
            start = end
        }
        return out
    }

    /// Rows `range` as Float, unchecked.
    private func read(_ range: Range<Int>) throws -> [Float] {
        switch source {
        case .file(_, let d): return try d.readRows(range, as: Float.self)
        case .memory(let m): return Array(m.values[(range.lowerBound * width)..<(range.upperBound * width)])
        }
    }

    /// `H5Dataset.checkReadable`, its error naming the pipeline key.
    private func checkSize<T: H5Scalar>(_ rows: Range<Int>? = nil, as: T.Type) throws {
        guard case .file(_, let dataset) = source else { return }
        do { try dataset.checkReadable(rows: rows, as: T.self) } catch let e as H5Error where e.kind == .tooLarge {
            throw InputError("\(ref.named): \(e.detail ?? e.message)")
        }
    }

    /// Reads labels `[N]`: integers, `-1` = unlabeled, classes `0..<C`.
    /// The labels dataset's `class_names` attribute (written by `import csv` for string
    /// labels or `--classes`; any tool may write one): class i's name is the i-th string.
    /// Nil when there is none (or the labels are in memory).
    func classNames() throws -> [String]? {
        guard let d = dataset, (try? d.attributeNames().contains("class_names")) == true else { return nil }
        guard case .strings(let names) = try d.attribute("class_names"), !names.isEmpty else {
            throw InputError("\(ref.named)@class_names: expected a 1-D array of strings (one name per class)")
        }
        return names
    }

    func readLabels(expectedRows: Int) throws -> [Int32] {
        guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
            throw InputError("\(ref.named): expected labels of shape [N], got \(shape)")
        }
        guard numericTypes.contains(elementType) else {
            throw InputError(
                "\(ref.named): expected integer labels (or floats holding whole numbers), got element type \(elementType.rawValue)")
        }
        guard rows == expectedRows else {
            throw InputError("\(ref.named): \(rows) labels for \(expectedRows) feature rows")
        }
        try checkSize(as: Int64.self)
        // Floats holding whole numbers are labels too (`LabelValue`); HDF5 would truncate 2.5 to 2 if read as integers.
        let values: [Int64]
        if case .file(_, let dataset) = source, integerTypes.contains(elementType) {
            values = try dataset.read(as: Int64.self)
        } else {
            let floats: [Double]
            switch source {
            case .file(_, let d): floats = try d.read(as: Double.self)
            case .memory(let m): floats = m.values.map(Double.init)
            }
            var whole = [Int64](repeating: 0, count: floats.count)
            for (i, v) in floats.enumerated() {
                guard let l = LabelValue.whole(v) else {
                    throw InputError("\(ref.named): " + LabelValue.notWhole(LabelValue.text(v), row: i))
                }
                whole[i] = l
            }
            values = whole
        }
        var out = [Int32](repeating: 0, count: values.count)
        for (i, v) in values.enumerated() {
            guard v >= -1, v < 65_536 else {
                throw InputError("\(ref.named): label \(v) at row \(i) is out of range; expected -1 (unlabeled) or a class 0..<C")
            }
            out[i] = Int32(v)
        }
        return out
    }
}

private let integerTypes: Set<H5ElementType> = [.uint8, .int8, .uint16, .int16, .uint32, .int32, .uint64, .int64]
private let numericTypes: Set<H5ElementType> = integerTypes.union([.float32, .float64])

/// A features matrix `[N, D]` or a labels vector `[N]` the caller holds in memory, read
/// by a run like a dataset of a file (`Pipeline.train(on:)`).
struct MemoryArray: Sendable {
    let shape: [Int]
    let values: [Float]
}
