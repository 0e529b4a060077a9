/// The one rule for class labels given as numbers, on every input path (an HDF5 labels
/// dataset, a CSV label column, a `.npy` labels array): integers as they are, and floats
/// that hold a whole number (numpy.savetxt writes 3 as `3.000000000000000000e+00`,
/// scikit-learn often hands out float64 `y`). Anything else — 2.5, NaN, ±∞, a float beyond
/// 2^53 — is not a class, and the error names the row and the value.
enum LabelValue {
    /// `v` as an integer label, or nil when it is not a whole number.
    static func whole(_ v: Double) -> Int64? {
        guard v.isFinite, v == v.rounded(), abs(v) <= 9_007_199_254_740_992 else { return nil }
        return Int64(v)
    }

    /// The value as a message shows it: `2.5`, `nan`, `inf`.
    static func text(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        return "\(v)"
    }

    /// `label 2.5 at row 7 is not a whole number`, the tail every path shares.
    static func notWhole(_ value: String, row: Int) -> String {
        "label \(value) at row \(row) is not a whole number (labels are classes 0, 1, …, or -1 for unlabeled; 3.0 is read as 3)"
    }
}
