/// The preprocessing of `data.scale`, fitted on the training features and
/// applied unchanged to test data and to new data (`encode`, `predict`, `score`).
public struct Scaler: Sendable, Equatable {
    public var kind: ScaleKind
    /// `unit`: one global (min, max) pair, x ↦ (x − min) / (max − min); for uint8 input
    /// min = 0, max = 255 (x/255) so test data scales exactly like training data.
    public var minimum: Float = 0
    public var maximum: Float = 1
    /// `standardize`: per-feature mean and standard deviation (a constant feature gets std 1).
    public var mean: [Float] = []
    public var std: [Float] = []

    /// Fits on `x` (`[rows, width]`, row-major).
    public static func fit(_ kind: ScaleKind, x: [Float], width: Int, isUInt8: Bool) -> Scaler {
        var s = Scaler(kind: kind)
        switch kind {
        case .none:
            break
        case .unit:
            if isUInt8 {
                s.minimum = 0; s.maximum = 255
            } else {
                s.minimum = x.min() ?? 0
                s.maximum = x.max() ?? 1
                if s.maximum <= s.minimum { s.maximum = s.minimum + 1 }
            }
        case .standardize:
            let rows = x.count / max(width, 1)
            var mean = [Double](repeating: 0, count: width)
            var sq = [Double](repeating: 0, count: width)
            for r in 0..<rows {
                for c in 0..<width {
                    let v = Double(x[r * width + c]); mean[c] += v; sq[c] += v * v
                }
            }
            s.mean = mean.map { Float($0 / Double(max(rows, 1))) }
            s.std = (0..<width).map { c in
                let m = mean[c] / Double(max(rows, 1))
                let v = sq[c] / Double(max(rows, 1)) - m * m
                return v > 1e-12 ? Float(v.squareRoot()) : 1
            }
        }
        return s
    }

    /// Scales `x` in place.
    public func apply(_ x: inout [Float], width: Int) {
        switch kind {
        case .none:
            break
        case .unit:
            let lo = minimum, inv = 1 / (maximum - minimum)
            x.withUnsafeMutableBufferPointer { p in
                for i in p.indices { p[i] = (p[i] - lo) * inv }
            }
        case .standardize:
            let inv = std.map { 1 / $0 }
            x.withUnsafeMutableBufferPointer { p in
                mean.withUnsafeBufferPointer { m in
                    inv.withUnsafeBufferPointer { s in
                        let rows = p.count / width
                        for r in 0..<rows {
                            let o = r * width
                            for c in 0..<width { p[o + c] = (p[o + c] - m[c]) * s[c] }
                        }
                    }
                }
            }
        }
    }
}
