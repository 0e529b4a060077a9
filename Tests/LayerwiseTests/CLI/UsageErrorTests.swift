import Foundation
import XCTest

/// Usage errors through the real binary: one `error:` line, the usage after it, exit 2
/// like every other input error (ArgumentParser's default is sysexits' 64).
final class UsageErrorTests: XCTestCase {
    func testUsageErrorsExitWithTwo() throws {
        let cases: [([String], String)] = [
            (["run", "--thread", "1", "p.yaml"], "error: Unknown option '--thread'. Did you mean '--threads'?"),
            (["encode", "r.h5", "d.h5:/x"], "error: Missing expected argument '--output <output>'"),
            (["run"], "error: Missing expected argument '<pipeline>'"),
            (["frobnicate"], "error: Unexpected argument 'frobnicate'")
        ]
        for (args, first) in cases {
            let r = try CLI.run(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").first.map(String.init), first, "\(args)")
            XCTAssertEqual(r.stderr.components(separatedBy: "error:").count - 1, 1, "one error line: \(r.stderr)")
        }
        // Help and version are not errors.
        XCTAssertEqual(try CLI.run(["run", "--help"]).status, 0)
        XCTAssertEqual(try CLI.run(["--version"]).status, 0)
    }
}
