import Foundation
import XCTest

/// Independent numbers from numpy and scikit-learn (`Tests/Python/reference.py`, run by
/// python3 with the packages `Scripts/bootstrap.sh --test` installs). A missing python3
/// or package is a failure, not a skip: these checks are the suite's only outside view
/// of the numbers a run writes.
enum Reference {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static let script = TinyData.repoRoot.appendingPathComponent("Tests/Python/reference.py").path

    /// Runs `reference.py args…` and returns its JSON object.
    static func run(_ args: [String]) throws -> [String: Any] {
        let r = try CLI.python([script] + args, environment: ["PYTHONWARNINGS": "ignore"])
        guard r.status == 0 else {
            throw Failure(
                description: "reference.py \(args.joined(separator: " ")) exited \(r.status) "
                    + "(python3 with numpy, h5py and scikit-learn: Scripts/bootstrap.sh --test): \(r.stderr)")
        }
        guard let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] else {
            throw Failure(description: "reference.py printed no JSON object: \(r.stdout)")
        }
        return object
    }

    static func double(_ object: [String: Any], _ key: String) throws -> Double {
        guard let v = (object[key] as? NSNumber)?.doubleValue else { throw Failure(description: "reference: no number \(key)") }
        return v
    }

    static func doubles(_ object: [String: Any], _ key: String) throws -> [Double] {
        guard let v = object[key] as? [Any] else { throw Failure(description: "reference: no array \(key)") }
        return try v.map {
            guard let n = ($0 as? NSNumber)?.doubleValue else { throw Failure(description: "reference: \(key) holds \($0)") }
            return n
        }
    }

    /// The largest |a − b| / max(|b|, floor) and the index where it is.
    static func worstRelative(_ a: [Float], _ b: [Double], floor: Double = 0) -> (value: Double, index: Int) {
        var worst = (value: 0.0, index: -1)
        for (i, (x, y)) in zip(a, b).enumerated() {
            let r = abs(Double(x) - y) / max(abs(y), floor)
            if !(r <= worst.value) { worst = (r, i) }
        }
        return worst
    }

    static func worstAbsolute(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).reduce(0.0) { max($0, abs(Double($1.0) - $1.1)) }
    }
}
