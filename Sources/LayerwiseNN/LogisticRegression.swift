import Foundation
import LayerwiseMath

/// An L2-penalised logistic-regression baseline, as scikit-learn's `LogisticRegression()`
/// defines it (lbfgs, `penalty="l2"`, `C = 1`, intercept fitted and not penalised).
///
/// With `K` classes present among the labeled rows, `x_i` a row of `[n, d]` and `y_i` its label:
/// - `K = 2`: one logit `z_i = w·x_i + b`, `p(y = second class) = σ(z_i)`;
/// - `K ≥ 3`: multinomial softmax over `z_i = W x_i + b` with `W` `[K, d]` (all `K` rows, as sklearn).
///
/// `fit` minimises `F(W, b) = ‖W‖²/2 + C · Σ_i −log p(y_i | x_i)` (summed, not averaged) by
/// L-BFGS in Double; every product goes through `BLAS.dgemm`.
public struct LogisticRegression: Sendable {
    /// Inverse penalty strength `C` (> 0).
    public var c: Double
    /// L-BFGS iterations at most. sklearn stops at 100; the default lets a fit reach `tolerance`.
    public var maxIterations: Int
    /// Stop when `max_j |∂F/∂θ_j| ≤ tolerance · C · n`, i.e. sklearn's `gtol` on its
    /// objective `F / (C · n)` (the mean loss plus `‖W‖² / (2 C n)`).
    public var tolerance: Double

    /// - Parameters: `c` > 0, `maxIterations` ≥ 1, `tolerance` ≥ 0 (programmer errors otherwise).
    public init(c: Double = 1, maxIterations: Int = 1000, tolerance: Double = 1e-4) {
        precondition(
            c > 0 && maxIterations >= 1 && tolerance >= 0,
            "LogisticRegression: c \(c), maxIterations \(maxIterations), tolerance \(tolerance)")
        self.c = c
        self.maxIterations = maxIterations
        self.tolerance = tolerance
    }

    /// A fitted model over `classes` output columns.
    ///
    /// Classes absent from the labeled rows get probability 0 (a logit of −∞), so they are
    /// never predicted; the rest are fitted exactly as sklearn fits the classes it sees
    /// (two present → sigmoid, three or more → softmax). With one class present, that class
    /// gets probability 1 (sklearn refuses such a fit).
    public struct Model: Sendable {
        /// Output columns (the `classes` given to `fit`).
        public let classes: Int
        /// Input columns `d`.
        public let features: Int
        /// The fitted classes' labels, ascending, `[K]`.
        public let present: [Int32]
        /// Weights row-major `[1, d]` when `K = 2` (for `present[1]`), `[K, d]` when `K ≥ 3`, empty when `K = 1`.
        public let coefficients: [Double]
        /// Intercepts, one per row of `coefficients`.
        public let intercepts: [Double]
        /// L-BFGS iterations run.
        public let iterations: Int
        /// Whether the gradient reached the tolerance within `maxIterations`.
        public let converged: Bool

        /// Class probabilities `[x.rows, classes]` for `x` `[n, features]`; absent classes get 0.
        public func predictProbabilities(_ x: Matrix) -> Matrix {
            precondition(x.cols == features, "predictProbabilities: \(x.cols) columns, model has \(features)")
            let p = fittedProbabilities(LogisticObjective.doubles(x.storage), rows: x.rows)
            var out = Matrix(rows: x.rows, cols: classes)
            for i in 0..<x.rows {
                for (k, label) in present.enumerated() { out.storage[i * classes + Int(label)] = Float(p[i * present.count + k]) }
            }
            return out
        }

        /// The most probable class of each row of `x` `[n, features]` (the lowest label on a tie).
        public func predict(_ x: Matrix) -> [Int32] {
            precondition(x.cols == features, "predict: \(x.cols) columns, model has \(features)")
            let k = present.count
            let p = fittedProbabilities(LogisticObjective.doubles(x.storage), rows: x.rows)
            return (0..<x.rows).map { i in
                var best = 0
                for j in 1..<max(k, 1) where p[i * k + j] > p[i * k + best] { best = j }
                return present[best]
            }
        }

        /// Probabilities `[rows, K]` over the present classes, in Double.
        func fittedProbabilities(_ x: [Double], rows: Int) -> [Double] {
            let k = present.count
            guard k > 1 else { return [Double](repeating: 1, count: rows) }
            let outputs = intercepts.count
            let z = LogisticObjective.logits(x, rows: rows, features: features, weights: coefficients, intercepts: intercepts)
            var p = [Double](repeating: 0, count: rows * k)
            for i in 0..<rows {
                if outputs == 1 {
                    let s = LogisticObjective.sigmoid(z[i])
                    p[2 * i] = 1 - s
                    p[2 * i + 1] = s
                } else {
                    var m = -Double.infinity
                    for j in 0..<k { m = max(m, z[i * k + j]) }
                    var sum = 0.0
                    for j in 0..<k { p[i * k + j] = exp(z[i * k + j] - m); sum += p[i * k + j] }
                    for j in 0..<k { p[i * k + j] /= sum }
                }
            }
            return p
        }
    }

    /// Fits on `x` `[n, d]` with `labels[i]` in `0..<classes` (programmer errors otherwise) and `n ≥ 1`.
    public func fit(x: Matrix, labels: [Int32], classes: Int) -> Model {
        precondition(labels.count == x.rows && x.rows > 0, "fit: \(labels.count) labels for \(x.rows) rows")
        precondition(labels.allSatisfy { $0 >= 0 && Int($0) < classes }, "fit: a label outside 0..<\(classes)")
        let present = Array(Set(labels)).sorted()
        guard present.count > 1 else {
            return Model(
                classes: classes, features: x.cols, present: present, coefficients: [], intercepts: [],
                iterations: 0, converged: true)
        }
        var index = [Int](repeating: 0, count: classes)
        for (k, label) in present.enumerated() { index[Int(label)] = k }
        let objective = LogisticObjective(
            x: LogisticObjective.doubles(x.storage), rows: x.rows, features: x.cols,
            targets: labels.map { index[Int($0)] },
            outputs: present.count == 2 ? 1 : present.count, c: c)
        let result = LBFGS.minimize(
            start: [Double](repeating: 0, count: objective.parameterCount),
            gradientTolerance: tolerance * c * Double(x.rows), maxIterations: maxIterations,
            objective.lossAndGradient)
        let split = objective.outputs * x.cols
        return Model(
            classes: classes, features: x.cols, present: present, coefficients: Array(result.theta[..<split]),
            intercepts: Array(result.theta[split...]), iterations: result.iterations, converged: result.converged)
    }

    /// Fits on rows-major `x` `[labels.count, features]` Float values.
    public func fit(x: [Float], features: Int, labels: [Int32], classes: Int) -> Model {
        fit(x: Matrix(rows: labels.count, cols: features, storage: x), labels: labels, classes: classes)
    }

    /// `LogisticRegression(c:maxIterations:tolerance:).fit(x:labels:classes:)`, defaults as sklearn's.
    public static func fit(
        x: Matrix, labels: [Int32], classes: Int, c: Double = 1, maxIterations: Int = 1000,
        tolerance: Double = 1e-4
    ) -> Model {
        LogisticRegression(c: c, maxIterations: maxIterations, tolerance: tolerance).fit(x: x, labels: labels, classes: classes)
    }
}
