/// The preprocessing of `data.scale`, fitted on the training features and
/// applied unchanged to test data and to new data (`encode`, `predict`, `score`).
public struct Scaler: Sendable, Equatable {
    /// The scaling fitted; never `auto`.
    public var kind: ScaleKind
    /// `unit`: one global (min, max) pair, x ↦ (x − min) / (max − min); for uint8 input
    /// min = 0, max = 255 (x/255) so test data scales exactly like training data.
    public var minimum: Float = 0
    /// `unit`: the global maximum (255 for uint8 input).
    public var maximum: Float = 1
    /// `standardize`: per-feature mean and standard deviation (a constant feature gets std 1).
    public var mean: [Float] = []
    /// `standardize`: per-feature population standard deviation.
    public var std: [Float] = []
    /// `minmax`: per-feature minimum and maximum of the training rows (a constant feature
    /// gets max = min + 1, so it scales to 0).
    public var featureMinimum: [Float] = []
    /// `minmax`: per-feature maximum of the training rows.
    public var featureMaximum: [Float] = []

    /// Fits on `x` (`[rows, width]`, row-major); `auto` resolves on the element type.
    public static func fit(_ kind: ScaleKind, x: [Float], width: Int, isUInt8: Bool) -> Scaler {
        var a = Accumulator(kind, width: width, isUInt8: isUInt8)
        x.withUnsafeBufferPointer { a.add($0) }
        return a.scaler
    }

    /// The statistics a scaler is fitted from, gathered block by block (rows streamed
    /// from a file, or an MPI rank's share, merged with `merged(with:)`).
    public struct Accumulator: Sendable {
        /// The scaling being fitted, `auto` already resolved.
        public let kind: ScaleKind
        /// Features per row.
        public let width: Int
        /// Whether the rows came from uint8 data (`unit` then scales by 255 without looking at them).
        public let isUInt8: Bool
        /// `unit` on non-uint8 rows: the smallest value seen.
        public var minimum = Float.infinity
        /// `unit` on non-uint8 rows: the largest value seen.
        public var maximum = -Float.infinity
        /// Per-feature Σx and Σx² (standardize), and the rows counted.
        public var sum: [Double]
        /// Per-feature Σx² (standardize).
        public var sumOfSquares: [Double]
        /// Rows added so far.
        public var rows = 0
        /// Per-feature extremes (minmax).
        public var featureMinimum: [Float]
        /// Per-feature maxima (minmax).
        public var featureMaximum: [Float]

        /// `kind` is resolved here: `auto` becomes `unit` for uint8 rows, `minmax` otherwise.
        public init(_ kind: ScaleKind, width: Int, isUInt8: Bool) {
            let kind = kind.resolved(isUInt8: isUInt8)
            self.kind = kind; self.width = width; self.isUInt8 = isUInt8
            let n = kind == .standardize ? width : 0
            sum = [Double](repeating: 0, count: n)
            sumOfSquares = [Double](repeating: 0, count: n)
            let m = kind == .minmax ? width : 0
            featureMinimum = [Float](repeating: .infinity, count: m)
            featureMaximum = [Float](repeating: -.infinity, count: m)
        }

        /// Whether fitting needs the values at all (uint8 rows scale by 255 whatever they hold).
        public var needsValues: Bool { kind == .standardize || kind == .minmax || (kind == .unit && !isUInt8) }

        /// Adds rows (`[rows, width]`, row-major).
        public mutating func add(_ x: UnsafeBufferPointer<Float>) {
            let n = x.count / max(width, 1)
            rows += n
            switch kind {
            case .none, .auto: break
            case .minmax:
                for r in 0..<n {
                    for c in 0..<width {
                        let v = x[r * width + c]
                        featureMinimum[c] = min(featureMinimum[c], v); featureMaximum[c] = max(featureMaximum[c], v)
                    }
                }
            case .unit:
                guard !isUInt8 else { break }
                for v in x { minimum = min(minimum, v); maximum = max(maximum, v) }
            case .standardize:
                for r in 0..<n {
                    for c in 0..<width {
                        let v = Double(x[r * width + c]); sum[c] += v; sumOfSquares[c] += v * v
                    }
                }
            }
        }

        /// The scaler these statistics give (a constant feature gets std 1 or max = min + 1).
        public var scaler: Scaler {
            var s = Scaler(kind: kind)
            switch kind {
            case .none, .auto:
                break
            case .minmax:
                s.featureMinimum = featureMinimum.map { $0.isFinite ? $0 : 0 }
                s.featureMaximum = zip(s.featureMinimum, featureMaximum).map { lo, hi in hi.isFinite && hi > lo ? hi : lo + 1 }
            case .unit:
                if isUInt8 {
                    s.minimum = 0; s.maximum = 255
                } else {
                    s.minimum = rows > 0 ? minimum : 0
                    s.maximum = rows > 0 ? maximum : 1
                    if s.maximum <= s.minimum { s.maximum = s.minimum + 1 }
                }
            case .standardize:
                let n = Double(max(rows, 1))
                s.mean = sum.map { Float($0 / n) }
                s.std = (0..<width).map { c in
                    let m = sum[c] / n
                    let v = sumOfSquares[c] / n - m * m
                    return v > 1e-12 ? Float(v.squareRoot()) : 1
                }
            }
            return s
        }
    }

    /// Scales `x` in place.
    public func apply(_ x: inout [Float], width: Int) {
        x.withUnsafeMutableBufferPointer { apply($0, width: width) }
    }

    /// Scales the rows at `p` (`[rows, width]`) in place.
    public func apply(_ p: UnsafeMutableBufferPointer<Float>, width: Int) {
        switch kind {
        case .none, .auto:
            break
        case .unit:
            let lo = minimum, inv = 1 / (maximum - minimum)
            for i in p.indices { p[i] = (p[i] - lo) * inv }
        case .minmax:
            Scaler.perFeature(
                p, width: width, offset: featureMinimum,
                inverse: zip(featureMinimum, featureMaximum).map { 1 / ($1 - $0) })
        case .standardize:
            Scaler.perFeature(p, width: width, offset: mean, inverse: std.map { 1 / $0 })
        }
    }

    /// x ↦ (x − offset[c]) · inverse[c] for every row of `p` (`[rows, width]`).
    private static func perFeature(_ p: UnsafeMutableBufferPointer<Float>, width: Int, offset: [Float], inverse: [Float]) {
        offset.withUnsafeBufferPointer { m in
            inverse.withUnsafeBufferPointer { s in
                let rows = p.count / width
                for r in 0..<rows {
                    let o = r * width
                    for c in 0..<width { p[o + c] = (p[o + c] - m[c]) * s[c] }
                }
            }
        }
    }
}
