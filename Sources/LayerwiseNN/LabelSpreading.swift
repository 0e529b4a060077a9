import Foundation
import LayerwiseMath

/// Label spreading on a k-nearest-neighbour graph (Zhou, Bousquet, Lal, Weston, Schölkopf,
/// "Learning with Local and Global Consistency", NeurIPS 2003): every row's class scores
/// are repeatedly replaced by α times its neighbours' (degree-normalised) plus (1 − α)
/// times its own label, so the few labels flow along the graph to the unlabeled rows.
///
/// The graph: row i and row j are joined when either is among the other's `neighbors`
/// nearest rows by Euclidean distance (a row is not its own neighbour; ties go to the
/// lower row index). With W that 0/1 matrix and D its degrees, S = D^-1/2 · W · D^-1/2, and
///
///     F₀ = Y,  F_{t+1} = α · S · F_t + (1 − α) · Y      (Y: one-hot rows of the labels, 0 for unlabeled)
///
/// for `iterations` steps. The defaults are scikit-learn's `LabelSpreading(kernel="knn")`
/// (7 neighbours, α = 0.2, 30 iterations).
public struct LabelSpreading: Sendable {
    public var neighbors: Int
    public var alpha: Double
    public var iterations: Int

    /// A spreading with these settings (defaults as scikit-learn's knn kernel).
    public init(neighbors: Int = 7, alpha: Double = 0.2, iterations: Int = 30) {
        self.neighbors = neighbors
        self.alpha = alpha
        self.iterations = iterations
    }

    /// Each row's `k` nearest other rows of `x` `[rows × k]`, nearest first (Euclidean;
    /// ties to the lower index). Brute force in blocks of rows, the dot products by BLAS.
    public static func nearestNeighbors(_ x: Matrix, k: Int) -> [Int32] {
        let n = x.rows, d = x.cols
        let k = min(k, max(n - 1, 0))
        guard k > 0 else { return [] }
        var norms = [Float](repeating: 0, count: n)
        x.storage.withUnsafeBufferPointer { p in
            for i in 0..<n {
                var s: Float = 0
                for j in 0..<d { s += p[i * d + j] * p[i * d + j] }
                norms[i] = s
            }
        }
        var out = [Int32](repeating: 0, count: n * k)
        let block = max(1, min(n, (16 << 20) / max(n, 1)))  // about 64 MiB of products at a time
        var products = [Float](repeating: 0, count: block * n)
        var bestDistance = [Float](repeating: 0, count: k)
        var bestIndex = [Int32](repeating: 0, count: k)
        x.storage.withUnsafeBufferPointer { xp in
            products.withUnsafeMutableBufferPointer { pp in
                var start = 0
                while start < n {
                    let rows = min(block, n - start)
                    BLAS.gemm(xp.baseAddress! + start * d, xp.baseAddress!, pp.baseAddress!, m: rows, n: n, k: d, transB: true)
                    for r in 0..<rows {
                        let i = start + r
                        var filled = 0
                        let row = pp.baseAddress! + r * n
                        for j in 0..<n where j != i {
                            // ‖xᵢ − xⱼ‖² less the constant ‖xᵢ‖²
                            let dist = norms[j] - 2 * row[j]
                            if filled == k && dist >= bestDistance[k - 1] { continue }
                            var p = filled == k ? k - 1 : filled
                            if filled < k { filled += 1 }
                            while p > 0 && bestDistance[p - 1] > dist {
                                bestDistance[p] = bestDistance[p - 1]
                                bestIndex[p] = bestIndex[p - 1]
                                p -= 1
                            }
                            bestDistance[p] = dist
                            bestIndex[p] = Int32(j)
                        }
                        for q in 0..<k { out[i * k + q] = bestIndex[q] }
                    }
                    start += rows
                }
            }
        }
        return out
    }

    /// The spread class scores F `[rows, classes]` on the graph of `x`'s rows; `labels` has
    /// one entry per row, a class in `0..<classes` or −1 for an unlabeled row.
    public func spread(_ x: Matrix, labels: [Int32], classes: Int) -> Matrix {
        let n = x.rows
        precondition(labels.count == n, "\(labels.count) labels for \(n) rows")
        let knn = Self.nearestNeighbors(x, k: neighbors)
        let k = n > 0 ? knn.count / n : 0
        // The symmetric 0/1 graph as adjacency lists.
        var adjacent = [[Int32]](repeating: [], count: n)
        for i in 0..<n {
            for q in 0..<k {
                let j = Int(knn[i * k + q])
                adjacent[i].append(Int32(j))
                adjacent[j].append(Int32(i))
            }
        }
        for i in 0..<n { adjacent[i] = Array(Set(adjacent[i])).sorted() }
        let scale = adjacent.map { $0.isEmpty ? 0 : 1 / Double($0.count).squareRoot() }
        var y = [Double](repeating: 0, count: n * classes)
        for (i, c) in labels.enumerated() where c >= 0 && Int(c) < classes { y[i * classes + Int(c)] = 1 }
        var f = y
        var next = y
        for _ in 0..<iterations {
            for i in 0..<n {
                let base = i * classes
                for c in 0..<classes { next[base + c] = (1 - alpha) * y[base + c] }
                for j32 in adjacent[i] {
                    let j = Int(j32)
                    let w = alpha * scale[i] * scale[j]
                    for c in 0..<classes { next[base + c] += w * f[j * classes + c] }
                }
            }
            swap(&f, &next)
        }
        return Matrix(rows: n, cols: classes, storage: f.map { Float($0) })
    }

    /// Pseudo-labels from spread scores: each row's best class, weighted by its certainty
    /// 1 − H(p)/log C with p the row's scores normalised to sum 1 (Iscen, Tolias, Avrithis,
    /// Chum, "Label Propagation for Deep Semi-supervised Learning", CVPR 2019); a row no
    /// label reached gets weight 0. Labeled rows keep their label with weight 1.
    public static func pseudoLabels(_ scores: Matrix, labels: [Int32]) -> (labels: [Int32], weights: [Float]) {
        let c = scores.cols
        var out = [Int32](repeating: 0, count: scores.rows)
        var weights = [Float](repeating: 0, count: scores.rows)
        let logC = log(Double(max(c, 2)))
        for i in 0..<scores.rows {
            if labels[i] >= 0 {
                out[i] = labels[i]
                weights[i] = 1
                continue
            }
            let row = scores.storage[(i * c)..<((i + 1) * c)]
            let total = row.reduce(0) { $0 + Double(max($1, 0)) }
            guard total > 0 else { continue }
            var entropy = 0.0
            var best = 0
            for (q, v) in row.enumerated() {
                let p = Double(max(v, 0)) / total
                if p > 0 { entropy -= p * log(p) }
                if v > row[row.startIndex + best] { best = q }
            }
            out[i] = Int32(best)
            weights[i] = Float(max(0, 1 - entropy / logC))
        }
        return (out, weights)
    }
}
