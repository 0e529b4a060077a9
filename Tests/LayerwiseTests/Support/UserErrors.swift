import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// The failure contract for bad input, for the tests kept from fuzzing (Fuzz/,
/// Scripts/fuzz.sh) and from the random mutation run: one user-facing error, exit 2.
extension XCTestCase {
    /// `body` throws an error the CLI prints as one `error:` line with exit code 2.
    func expectUserError(
        _ mentions: [String] = [], file: StaticString = #filePath, line: UInt = #line,
        _ body: () throws -> Void
    ) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertTrue(
                error is UserFacingError || error is H5Error, "not user-facing: \(type(of: error)) \(error)", file: file, line: line)
            let (message, code) = exitStatus(for: error)
            XCTAssertEqual(code, 2, message, file: file, line: line)
            XCTAssertFalse(message.contains("\n") && !(error is PipelineError), message, file: file, line: line)
            for m in mentions { XCTAssertTrue(message.contains(m), "'\(m)' not in: \(message)", file: file, line: line) }
        }
    }

    /// Runs the binary in `folder` and checks the failure contract: exit 2, `lines` lines, each `error: …`.
    func expectCLIFailure(_ args: [String], lines: Int = 1, mentions: [String] = [], in folder: URL, line: UInt = #line) throws {
        let r = try CLI.run(args, in: folder)
        XCTAssertEqual(r.status, 2, r.stderr, line: line)
        let errs = r.stderr.split(separator: "\n")
        XCTAssertEqual(errs.count, lines, r.stderr, line: line)
        for l in errs { XCTAssertTrue(l.hasPrefix("error: "), String(l), line: line) }
        for m in mentions { XCTAssertTrue(r.stderr.contains(m), "'\(m)' not in: \(r.stderr)", line: line) }
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr, line: line)
    }
}
