/// The `ladder:` stage's part of the estimate, counted as `LadderNetwork.init` allocates.
extension MemoryEstimate {
    /// Parameters of a ladder network of widths d_0 … d_L: W_l and β_l (l = 1 … L), γ,
    /// the decoder's V_l (l = 0 … L−1) and 10 combinator values per unit (l = 0 … L).
    static func ladderParameters(_ w: [Double]) -> Double {
        guard w.count > 1 else { return 0 }
        let L = w.count - 1
        var p = w[L]
        for l in 1...L { p += w[l - 1] * w[l] + w[l] }
        for l in 0..<L { p += w[l + 1] * w[l] }
        return p + 10 * w.reduce(0, +)
    }

    /// Values per buffer row: the clean, corrupted and labeled encoder passes, the decoder
    /// pass, the zero source of the noise, two deltas and a row's label.
    static func ladderRowValues(_ w: [Double]) -> Double {
        guard let top = w.last, let widest = w.max() else { return 0 }
        let all = w.reduce(0, +), above = all - w[0]
        let clean = 4 * above + 2 * top  // pre, normalized (its z), h, dz; logits, dLogits
        let corrupted = 4 * above + 2 * all + 2 * top  // pre, normalized, h, dz; z, noise; logits, dLogits
        let labeled = 3 * above + 2 * all + 2 * top  // pre, normalized, h; z, noise; logits, dLogits
        let decoder = 5 * all  // pre, u, ẑ, ∂ẑ, ∂u
        return clean + corrupted + labeled + decoder + 3 * widest + 1
    }

    /// The ladder's store (weights, gradients, two Adam moments), its batch statistics,
    /// two more copies of its state (the best epoch's, the model's), and its buffers for
    /// as many rows as its batch holds on this process (`batch_size` capped at the rows).
    static func ladderStage(_ c: LadderConfig, inputs: Double, classes: Double, rows: Int, ranks: Int) -> [Part] {
        let w = [inputs] + c.layers.map(Double.init) + [classes]
        let ranks = max(ranks, 1)
        let local = c.batchSize / ranks + (c.batchSize % ranks == 0 ? 0 : 1)
        let b = Double(max(bufferRows(local, rows / ranks + (rows % ranks == 0 ? 0 : 1)), 2))
        let statistics = 16 * w.reduce(0, +)
        return [
            Part(
                key: "ladder.layers", what: "the ladder's weights, gradients, optimizer state and kept copies",
                bytes: bytesPerValue * (6 * ladderParameters(w) + statistics)),
            Part(
                key: "ladder.batch_size", what: "the ladder's activations at batch \(c.batchSize)",
                bytes: bytesPerValue * b * ladderRowValues(w))
        ]
    }
}
