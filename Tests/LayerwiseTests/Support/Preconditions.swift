import Foundation
import XCTest

/// What a test needs from the machine (mpirun, python3 with h5py and scikit-learn, the
/// Fashion-MNIST source files, root for `mount -t tmpfs`) that `Scripts/bootstrap.sh --test`
/// installs. A missing one fails the test, so CI cannot pass by skipping; set
/// `LAYERWISE_ALLOW_MISSING=1` on a machine where it is known to be absent to skip instead.
enum Precondition {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// The error to throw when `what` is missing: a failure, or a skip when allowed.
    static func missing(_ what: String) -> Error {
        if ProcessInfo.processInfo.environment["LAYERWISE_ALLOW_MISSING"] == "1" { return XCTSkip(what) }
        return Missing(
            description: "missing precondition: \(what) (Scripts/bootstrap.sh --test installs it; "
                + "LAYERWISE_ALLOW_MISSING=1 skips instead)")
    }
}
