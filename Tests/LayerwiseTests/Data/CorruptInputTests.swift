import CLayerwiseHDF5
import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// Corrupt input files that crashed Layerwise, hung it or made it allocate what the file
/// cannot hold (a mutation fuzzing run, and the same kinds of input made by hand): each
/// is now one user-facing error, raised before anything is allocated. Fuzz/ (`fuzz-h5-data`,
/// `fuzz-inspect`, `fuzz-idx`, `fuzz-npy`) goes on looking for more.
final class CorruptInputTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try TinyData.folder(self)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Replaces the leading dimension `rows` of every dataspace `[rows, cols]` in the file
    /// (current and maximum dimensions, 8 bytes each, little-endian) by `value`: a
    /// dataset whose stored dimensions were corrupted.
    func corruptRows(_ file: String, _ rows: UInt64, _ cols: UInt64, to value: UInt64) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        func le(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        let pattern = le(rows) + le(cols)
        var hits = 0
        for i in 0...(bytes.count - pattern.count) where Array(bytes[i..<(i + pattern.count)]) == pattern {
            bytes.replaceSubrange(i..<(i + 8), with: le(value))
            hits += 1
        }
        XCTAssertGreaterThan(hits, 0, "no dataspace [\(rows), \(cols)] in \(file)")
        try Data(bytes).write(to: URL(fileURLWithPath: file))
    }

    /// A data file like the shipped one: chunked, shuffled, deflated.
    func writeCompressedData(_ name: String = "tiny.h5") throws -> String {
        let p = path(name)
        let src = try H5File.open(TinyData.shipped).root
        let root = try H5File.create(p).root
        for (g, n) in [("train", 600), ("test", 200)] {
            let x = try src.dataset("/\(g)/images").readRows(0..<n, as: UInt8.self)
            let y = try src.dataset("/\(g)/labels").readRows(0..<n, as: Int64.self)
            try root.createGroup(g).write("images", x, shape: [n, 784], compression: 4)
            try root.group(g).write("labels", y, shape: [n], compression: 4)
        }
        return p
    }

    /// Rows 600 → 10^12 of a compressed dataset: `run` tried to allocate 10^15 bytes and
    /// aborted. Now refused, naming the pipeline key and the dataset, before allocating.
    func testACorruptRowCountIsRefusedBeforeAllocating() throws {
        let data = try writeCompressedData()
        try corruptRows(data, 600, 784, to: 1_000_000_000_000)
        let p = try TinyData.writePipeline(into: folder)
        expectUserError(["data.train", "/train/images", "more than the file"]) { _ = try Runner.validate(pipelineFile: p, overrides: []) }
        try expectCLIFailure(["run", p, "--quiet"], mentions: ["p.yaml:4:", "data.train", "tiny.h5:/train/images"], in: folder)
        // inspect shows the file as it is.
        XCTAssertTrue(try inspect(path: data).contains("[1000000000000, 784]"))
    }

    /// Rows 2^62: `inspect` trapped computing the dataset's size (2^62 · 784 overflows),
    /// and reading it would have too.
    func testARowCountThatOverflowsIsShownAndRefused() throws {
        for compressed in [true, false] {
            let data: String
            if compressed { data = try writeCompressedData() } else { data = try TinyData.write(into: folder) }
            try corruptRows(data, 600, 784, to: 1 << 62)
            let text = try inspect(path: data)
            XCTAssertTrue(text.contains("[4611686018427387904, 784]") && text.contains("corrupt shape"), text)
            let p = try TinyData.writePipeline(into: folder)
            expectUserError(["data.train"]) { _ = try Runner.validate(pipelineFile: p, overrides: []) }
            let r = try CLI.run(["inspect", data])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("corrupt shape"), r.stdout)
        }
    }

    /// The memory budget: what the file can hold but memory cannot take is refused too.
    func testTheMemoryBudgetIsChecked() throws {
        let data = try TinyData.write(into: folder)
        let ds = try H5File.open(data, memoryBudget: 100_000).root.dataset("/train/images")
        XCTAssertThrowsError(try ds.read(as: Float.self)) { XCTAssertEqual(($0 as? H5Error)?.kind, .tooLarge, "\($0)") }
        XCTAssertEqual(try ds.readRows(0..<10, as: Float.self).count, 7840)
        var p = try Pipeline.load(file: try TinyData.writePipeline(into: folder))
        p.memoryBudget = 100_000
        expectUserError(["data.train", "memory"]) { _ = try DataStage(pipeline: p).run(Progress(quiet: true)) }
    }

    /// A group holding a hard link to its parent and a soft link to "/": `inspect`, the
    /// listing of a missing dataset's file and the report's walk of /metrics went round
    /// forever (or until the stack overflowed).
    func testLinkCyclesAreWalkedOnce() throws {
        let data = try TinyData.write(into: folder)
        do { try H5File.open(data, mode: .readWrite).root.createGroup("metrics").write("loss", [2, 1] as [Float], shape: [2]) }
        do {
            let f = H5Fopen(data, lw_H5F_ACC_RDWR(), lw_H5P_DEFAULT())
            XCTAssertGreaterThanOrEqual(f, 0)
            defer { H5Fclose(f) }
            XCTAssertGreaterThanOrEqual(H5Lcreate_hard(f, "/train", f, "/train/again", lw_H5P_DEFAULT(), lw_H5P_DEFAULT()), 0)
            XCTAssertGreaterThanOrEqual(H5Lcreate_hard(f, "/metrics", f, "/metrics/loop", lw_H5P_DEFAULT(), lw_H5P_DEFAULT()), 0)
            XCTAssertGreaterThanOrEqual(H5Lcreate_soft("/", f, "/test/root", lw_H5P_DEFAULT(), lw_H5P_DEFAULT()), 0)
        }
        let text = try inspect(path: data)
        XCTAssertTrue(text.contains("again/  (the group shown above, linked again)"), text)
        XCTAssertTrue(text.contains("root/  (the group shown above, linked again)"), text)
        let p = try TinyData.writePipeline(TinyData.pipeline.replacingOccurrences(of: "/train/labels", with: "/nothing"), into: folder)
        expectUserError(["no such dataset", "/train/images"]) { _ = try Runner.validate(pipelineFile: p, overrides: []) }
        let root = try H5File.open(data).root
        XCTAssertEqual(try ResultsFile.curves(root).map(\.path), ["loss"])
    }

    /// An NPY header claiming 2^62 × 4 values: the size check was right, but its message
    /// multiplied the shape again, unchecked, and trapped.
    func testAnNPYShapeThatOverflows() throws {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let npy = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0]) + Data(header.utf8) + Data(count: 16)
        try npy.write(to: URL(fileURLWithPath: path("x.npy")))
        expectUserError(["x.npy", "64-bit"]) {
            _ = try TableImporter.importNPY(path("x.npy"), labels: nil, output: path("o.h5"), group: "/train", append: false)
        }
    }

    /// An IDX header claiming 2^32-1 × 2^32-1 images of a 20-byte file: refused from the
    /// file's size before reading (and gzip's largest ratio for a compressed one).
    func testAnIDXHeaderLargerThanItsFile() throws {
        var images = Data([0, 0, 8, 3, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0xff])
        images += Data(count: 4)
        try images.write(to: URL(fileURLWithPath: path("i.idx")))
        try Data([0, 0, 8, 1, 0, 0, 0, 2, 1, 2]).write(to: URL(fileURLWithPath: path("l.idx")))
        expectUserError(["i.idx", "truncated"]) {
            _ = try IDXImporter.importIDX(
                images: path("i.idx"), labels: path("l.idx"), output: path("o.h5"), group: "/train", append: false)
        }
    }

    /// fuzz-npy: a header whose shape held a line break and raw bytes was quoted whole in
    /// the message, which then printed as several lines (and could carry escape
    /// sequences to the terminal). Quoted header text is now cut and escaped.
    func testAnNPYHeaderOfRawBytesIsQuotedOnOneLine() throws {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (02, +\n}\u{1B}[31m\u{7}, 8), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let npy = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0]) + Data(header.utf8) + Data(count: 16)
        try npy.write(to: URL(fileURLWithPath: path("x.npy")))
        expectUserError(["x.npy", "unsupported shape", "\\n", "\\u{1b}"]) {
            _ = try TableImporter.importNPY(path("x.npy"), labels: nil, output: path("o.h5"), group: "/train", append: false)
        }
    }
}
