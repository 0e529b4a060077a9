import Foundation
import XCTest
@testable import LayerwiseHDF5

/// Files cross between Layerwise and h5py / h5dump unchanged. Skipped where python3
/// with h5py (or h5dump) is absent; CI installs both.
final class HDF5InteropTests: XCTestCase {
    func run(_ tool: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func requireH5py() throws {
        guard (try? run("python3", ["-c", "import h5py"]).0) == 0 else {
            // A missing h5py fails unless LAYERWISE_ALLOW_MISSING=1 (as in LayerwiseTests' Precondition).
            if ProcessInfo.processInfo.environment["LAYERWISE_ALLOW_MISSING"] == "1" { throw XCTSkip("python3 with h5py") }
            throw NSError(domain: "missing precondition: python3 with h5py (Scripts/bootstrap.sh --test installs it)", code: 1)
        }
    }

    func temp(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID())-\(name)").path
    }

    func testH5pyReadsWhatLayerwiseWrites() throws {
        try requireH5py()
        let p = temp("lw.h5")
        defer { try? FileManager.default.removeItem(atPath: p) }
        do {
            let root = try H5File.create(p).root
            try root.setAttribute("format", "layerwise-results")
            try root.setAttribute("format_version", Int64(1))
            let g = try root.createGroup("model/encoder/layer_0")
            try g.write("kernel", (0..<12).map { Float($0) / 4 }, shape: [3, 4], compression: 4)
            try g.write("labels", [3, -1, 7] as [Int64], shape: [3])
            try g.setAttribute("activation", "relu")
            try g.setAttribute("sizes", [Double(1.5), 2.5])
        }
        let script = """
            import h5py, numpy as np, sys
            f = h5py.File(sys.argv[1], "r")
            g = f["model/encoder/layer_0"]
            assert f.attrs["format"] == "layerwise-results", f.attrs["format"]
            assert f.attrs["format_version"] == 1
            assert g.attrs["activation"] == "relu"
            assert list(g.attrs["sizes"]) == [1.5, 2.5]
            k = g["kernel"]
            assert k.dtype == np.float32 and k.shape == (3, 4) and k.compression == "gzip" and k.shuffle
            assert np.array_equal(k[:], (np.arange(12) / 4).reshape(3, 4).astype(np.float32))
            assert list(g["labels"][:]) == [3, -1, 7] and g["labels"].dtype == np.int64
            print("ok")
            """
        let (status, out) = try run("python3", ["-c", script, p])
        XCTAssertEqual(status, 0, out)
        XCTAssertEqual(out.trimmingCharacters(in: .whitespacesAndNewlines), "ok")
        if (try? run("h5dump", ["--version"]).0) == 0 {
            let (s, dump) = try run("h5dump", ["-A", p])
            XCTAssertEqual(s, 0, dump)
            XCTAssertTrue(dump.contains("\"relu\""), dump)
            // The data section parses too, values as written (row 2 of the kernel).
            let (s2, data) = try run("h5dump", ["-p", "-d", "/model/encoder/layer_0/kernel", p])
            XCTAssertEqual(s2, 0, data)
            XCTAssertTrue(data.contains("(2,0): 2, 2.25, 2.5, 2.75"), data)
            XCTAssertTrue(data.contains("H5T_IEEE_F32LE") && data.contains("DEFLATE"), data)
        }
    }

    func testLayerwiseReadsWhatH5pyWrites() throws {
        try requireH5py()
        let p = temp("py.h5")
        defer { try? FileManager.default.removeItem(atPath: p) }
        let script = """
            import h5py, numpy as np, sys
            with h5py.File(sys.argv[1], "w") as f:
                f.create_dataset("train/images", data=np.arange(60, dtype=np.uint8).reshape(5, 3, 4), chunks=(2, 3, 4), compression="gzip", shuffle=True)
                f["train/labels"] = np.array([0, 1, -1, 2, 1], dtype=np.int16)
                f["train"].attrs["source"] = "ünïcode"
                f["train"].attrs["fixed"] = np.bytes_("fixed-length")
                f["train"].attrs["scale"] = np.float32(0.5)
                f["x64"] = np.arange(7) / 6
                f["names"] = np.array([b"a", b"bc"])
                f["x64"].attrs["counts"] = np.array([1, 2, 3], dtype=np.uint32)
            """
        let (status, out) = try run("python3", ["-c", script, p])
        XCTAssertEqual(status, 0, out)
        let root = try H5File.open(p).root
        let images = try root.dataset("train/images")
        XCTAssertEqual(images.shape, [5, 3, 4])
        XCTAssertEqual(images.elementType, .uint8)
        XCTAssertEqual(images.chunkShape, [2, 3, 4])
        XCTAssertEqual(try images.read(as: UInt8.self), (0..<60).map(UInt8.init))
        XCTAssertEqual(try images.readRows(3..<5, as: Float.self), (36..<60).map(Float.init))
        XCTAssertEqual(try root.dataset("train/labels").read(as: Int64.self), [0, 1, -1, 2, 1])
        XCTAssertEqual(try root.dataset("train/labels").elementType, .int16)
        XCTAssertEqual(try root.group("train").attribute("source"), .string("ünïcode"))
        XCTAssertEqual(try root.group("train").attribute("fixed"), .string("fixed-length"))
        XCTAssertEqual(try root.group("train").attribute("scale"), .double(0.5))
        XCTAssertEqual(try root.dataset("x64").read(as: Double.self), (0..<7).map { Double($0) / 6 })
        XCTAssertEqual(try root.dataset("x64").attribute("counts"), .ints([1, 2, 3]))
        XCTAssertEqual(try root.dataset("names").elementType, .string)
        XCTAssertThrowsError(try root.dataset("names").read(as: Float.self)) { error in
            XCTAssertEqual((error as? H5Error)?.kind, .typeMismatch)
            XCTAssertTrue("\(error)".contains("/names"), "\(error)")
        }
        XCTAssertEqual(Set(try root.children().map(\.name)), ["train", "x64", "names"])
    }
}
