import Foundation
import XCTest
@testable import Layerwise

/// No Foundation error text reaches a user: every command that writes a file, given an
/// output that is an existing folder or cannot be written, prints one clear `error:` line
/// (exit 2) naming the path and what to do, never "NSCocoaErrorDomain" or "The operation
/// could not be completed"; nothing is left behind.
final class OutputErrorTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try TinyData.folder(self)
        try TinyData.write(into: dir, train: 200, test: 20)
        let p = try TinyData.writePipeline(into: dir)
        let r = try CLI.run(
            [
                "run", p, "--quiet", "--set", "pretrain.epochs=1", "--set", "pretrain.end_to_end.epochs=1",
                "--set", "classifier.epochs=1", "--set", "fine_tune.epochs=1", "--set", "data.labeled={per_class: 5}"
            ], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("a-folder.h5"), withIntermediateDirectories: false)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("page.html"), withIntermediateDirectories: false)
        try "1,2,0\n3,4,1\n".write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
    }

    func expectOneClearLine(_ args: [String], _ mentions: [String], line: UInt = #line) throws {
        let r = try CLI.run(args, in: dir)
        XCTAssertEqual(r.status, 2, r.stderr, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, line: line)
        for bad in ["NSCocoaErrorDomain", "The operation could not be completed", "errno", ".tmp"] {
            XCTAssertFalse(r.stderr.contains(bad), "\(bad) in \(r.stderr)", line: line)
        }
        for m in mentions { XCTAssertTrue(r.stderr.contains(m), "'\(m)' not in \(r.stderr)", line: line) }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(left, [], line: line)
    }

    func testAnOutputThatIsAFolder() throws {
        try expectOneClearLine(
            ["report", "out/results.h5", "-o", "page.html"],
            ["error: -o: page.html is a folder; give the name of a file to write (e.g. page.html/report.html)"])
        try expectOneClearLine(["export", "keras", "out/results.h5", "-o", "a-folder.h5"], ["-o: a-folder.h5 is a folder"])
        for kind in ["predict", "encode", "score"] {
            try expectOneClearLine([kind, "out/results.h5", "tiny.h5:/test/images", "-o", "a-folder.h5"], ["-o: a-folder.h5 is a folder"])
        }
        try expectOneClearLine(["import", "csv", "t.csv", "-o", "a-folder.h5"], ["-o: a-folder.h5 is a folder"])
        try expectOneClearLine(
            ["run", "p.yaml", "--quiet", "--set", "output.results=a-folder.h5"],
            ["output.results: \(dir.appendingPathComponent("a-folder.h5").path) is a folder"])
        try expectOneClearLine(["compare", "out/results.h5", "a-folder.h5"], ["a-folder.h5: is a folder"])
    }

    func testAnOutputThatCannotBeWritten() throws {
        // /proc takes no new files (for root too): the system's reason, in words.
        try expectOneClearLine(
            ["report", "out/results.h5", "-o", "/proc/page.html"], ["-o: cannot write /proc/page.html: no such file or folder"])
        try expectOneClearLine(
            ["export", "keras", "out/results.h5", "-o", "/proc/m.weights.h5"],
            ["-o: cannot write /proc/m.weights.h5: no such file or folder"])
        try expectOneClearLine(["import", "csv", "t.csv", "-o", "/proc/t.h5"], ["-o: cannot write /proc/t.h5"])
        try expectOneClearLine(
            ["run", "p.yaml", "--quiet", "--set", "output.results=/proc/x/r.h5"],
            ["output.results: cannot create the folder /proc/x: no such file or folder"])
    }

    func testFoundationErrorsBecomeThePathAndAReason() {
        let posix = NSError(domain: NSPOSIXErrorDomain, code: Int(EISDIR))
        let folder = CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: "/x/y", NSUnderlyingErrorKey: posix])
        XCTAssertEqual(exitStatus(for: folder).message, "/x/y: is a folder, not a file")
        XCTAssertEqual(
            exitStatus(for: CocoaError(.fileWriteOutOfSpace, userInfo: [NSFilePathErrorKey: "/d"])).message, "/d: the disk is full")
        XCTAssertFalse(exitStatus(for: CocoaError(.fileWriteUnknown)).message.contains("NSCocoaErrorDomain"))
    }
}
