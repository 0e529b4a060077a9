import Foundation
import XCTest

/// The run's summary through the real binary: anomaly counts say of which set they are,
/// and every evaluate.expect gate is listed with its value, passed or not (--json too).
final class SummaryTests: XCTestCase {
    func testFlaggedCountsNameTheirSetAndEveryGateIsShown() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder, train: 300, test: 40)
        let text =
            TinyData.pipeline.replacingOccurrences(of: "per_class: 20", with: "per_class: 8")
            + "\nevaluate:\n  expect: {accuracy: \">= 0.05\", log_loss: \"< 0.001\"}\n"
        let path = try TinyData.writePipeline(text, into: folder)
        let r = try CLI.run(["run", path, "--quiet", "--threads", "1"], in: folder)
        XCTAssertEqual(r.status, 1, r.stderr)
        let rows = r.stdout.split(separator: "\n").map(String.init)
        let flagged = try XCTUnwrap(rows.first { $0.hasPrefix("anomaly flagged") })
        XCTAssertNotNil(
            flagged.range(of: #"^anomaly flagged +\d+ of 40 test rows, \d+ of 300 training rows$"#, options: .regularExpression), flagged)
        let gates = rows.filter { $0.hasPrefix("expect ") }
        XCTAssertEqual(gates.count, 2, r.stdout)
        XCTAssertNotNil(gates[0].range(of: #"accuracy >= 0\.05: passed \(accuracy = 0\.\d{4}\)$"#, options: .regularExpression), gates[0])
        XCTAssertNotNil(gates[1].range(of: #"log_loss < 0\.001: FAILED \(log_loss = \d+\.\d{4}\)$"#, options: .regularExpression), gates[1])
        XCTAssertTrue(r.stderr.hasPrefix("error: evaluate.expect: log_loss < 0.001 failed"), r.stderr)

        let json = try CLI.run(["run", path, "--json", "--threads", "1"], in: folder)
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let expectations = try XCTUnwrap(obj["expectations"] as? [[String: Any]])
        XCTAssertEqual(expectations.map { $0["gate"] as? String }, ["accuracy >= 0.05", "log_loss < 0.001"])
        XCTAssertEqual(expectations.map { $0["passed"] as? Bool }, [true, false])
        XCTAssertNotNil(expectations[0]["value"] as? Double)
    }
}
