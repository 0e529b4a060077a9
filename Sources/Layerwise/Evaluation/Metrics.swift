import Foundation

/// Classification metrics on a labeled set, as scikit-learn defines them.
public struct ClassificationMetrics: Sendable, Equatable {
    /// Share of rows whose most probable class is the true one.
    public var accuracy: Double
    /// Unweighted mean of per-class F1; a class with no true and no predicted rows is
    /// left out of the mean (it has no defined F1), one with either scores 0 where undefined.
    public var macroF1: Double
    /// Mean −log p(true class), probabilities clipped to [1e-7, 1] (Keras's epsilon).
    public var logLoss: Double
    /// `[C, C]`, row = true class, column = predicted class.
    public var confusion: [[Int64]]

    /// - Parameters:
    ///   - probabilities: `[n, classes]` row-major, rows sum to 1.
    ///   - labels: true class per row.
    public init(probabilities: [Float], labels: [Int32], classes: Int) {
        let n = labels.count
        precondition(probabilities.count == n * classes, "probabilities must be [n, classes]")
        var confusion = [[Int64]](repeating: [Int64](repeating: 0, count: classes), count: classes)
        var nll = 0.0
        for i in 0..<n {
            let row = i * classes
            var best = 0
            for c in 1..<classes where probabilities[row + c] > probabilities[row + best] { best = c }
            let y = Int(labels[i])
            confusion[y][best] += 1
            nll -= log(min(max(Double(probabilities[row + y]), 1e-7), 1))
        }
        let correct = (0..<classes).reduce(Int64(0)) { $0 + confusion[$1][$1] }
        accuracy = n == 0 ? 0 : Double(correct) / Double(n)
        logLoss = n == 0 ? 0 : nll / Double(n)
        var f1s: [Double] = []
        for c in 0..<classes {
            let tp = Double(confusion[c][c])
            let actual = Double(confusion[c].reduce(0, +))
            let predicted = Double((0..<classes).reduce(Int64(0)) { $0 + confusion[$1][c] })
            if actual == 0 && predicted == 0 { continue }
            f1s.append(actual + predicted == 0 ? 0 : 2 * tp / (actual + predicted))
        }
        macroF1 = f1s.isEmpty ? 0 : f1s.reduce(0, +) / Double(f1s.count)
        self.confusion = confusion
    }
}

/// Index of the largest value in each row of `[n, classes]`.
func argmaxRows(_ p: [Float], classes: Int) -> [Int32] {
    (0..<(p.count / classes)).map { i in
        var best = 0
        for c in 1..<classes where p[i * classes + c] > p[i * classes + best] { best = c }
        return Int32(best)
    }
}

/// The `q`-th percentile (0…100) of `values` with linear interpolation between order
/// statistics (NumPy's default `linear` method).
func percentile(_ values: [Float], _ q: Double) -> Float {
    guard !values.isEmpty else { return 0 }
    let s = values.sorted()
    let pos = q / 100 * Double(s.count - 1)
    let lo = Int(pos.rounded(.down)), hi = min(lo + 1, s.count - 1)
    let t = Float(pos - Double(lo))
    return s[lo] + (s[hi] - s[lo]) * t
}

/// Area under the ROC curve of `scores` for `positive` rows: the probability that a
/// random positive outscores a random negative (ties count half), as scikit-learn's
/// `roc_auc_score`. Nil without both classes.
func rocAUC(scores: [Float], positive: [Bool]) -> Double? {
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var ranks = [Double](repeating: 0, count: scores.count)
    var i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
        let mid = Double(i + j) / 2 + 1
        for k in i...j { ranks[order[k]] = mid }
        i = j + 1
    }
    let nPos = Double(positive.filter { $0 }.count), nNeg = Double(positive.count) - nPos
    guard nPos > 0, nNeg > 0 else { return nil }
    let rankSum = zip(ranks, positive).filter(\.1).reduce(0) { $0 + $1.0 }
    return (rankSum - nPos * (nPos + 1) / 2) / (nPos * nNeg)
}

/// Average precision (scikit-learn's `average_precision_score`): Σ (Rₙ − Rₙ₋₁)·Pₙ
/// over thresholds at each distinct score, highest first.
func averagePrecision(scores: [Float], positive: [Bool]) -> Double? {
    let total = positive.filter { $0 }.count
    guard total > 0 else { return nil }
    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    var tp = 0, fp = 0, ap = 0.0, lastRecall = 0.0
    var i = 0
    while i < order.count {
        var j = i
        while j < order.count && scores[order[j]] == scores[order[i]] {
            if positive[order[j]] { tp += 1 } else { fp += 1 }
            j += 1
        }
        let recall = Double(tp) / Double(total), precision = Double(tp) / Double(tp + fp)
        ap += (recall - lastRecall) * precision
        lastRecall = recall
        i = j
    }
    return ap
}
