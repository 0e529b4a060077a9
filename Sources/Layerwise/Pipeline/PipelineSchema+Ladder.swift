import Foundation
import LayerwiseNN

/// `ladder:` — a ladder network (Rasmus et al. 2015) trained on every training row and
/// the labeled ones together, used instead of `classifier:` + `fine_tune:`.
public struct LadderConfig: Sendable, CustomStringConvertible {
    /// Hidden widths; the softmax layer over the classes is added.
    public var layers: [Int]
    /// `ladder.activation`: the hidden layers' activation.
    public var activation: Activation
    /// Stddev of the Gaussian noise of the corrupted pass.
    public var noise: Double
    /// λ per layer: the input, each hidden layer, the softmax layer.
    public var denoisingWeights: [Double]
    /// `ladder.optimizer`: the optimizer of the whole network.
    public var optimizer: OptimizerSettings
    /// Passes over all training rows.
    public var epochs: Int
    /// Unlabeled rows per step, and as many labeled rows (fewer when there are fewer).
    public var batchSize: Int
    /// The learning rate falls linearly to 0 over the last this-many epochs (at most `epochs`).
    public var decayEpochs: Int
    /// `ladder.early_stopping`: on the validation rows; nil trains every epoch.
    public var earlyStopping: EarlyStopping?
    /// The keys the pipeline leaves out (`layers`, `epochs`, `decay_epochs`), sized from the data by `sized`.
    public var fromData: Set<String> = []
    /// Whether the pipeline names no stage at all, so the ladder is Layerwise's recommended method.
    public var implicit = false

    /// Every setting on one line, as `key value` pairs.
    public var description: String {
        "layers \(layers) activation \(activation.rawValue) noise \(noise) denoising_weights \(denoisingWeights) "
            + "optimizer \(optimizer) epochs \(epochs) batch_size \(batchSize) decay_epochs \(decayEpochs) "
            + "early_stopping \(String(describing: earlyStopping))"
    }
}

extension LadderConfig {
    /// Input widths from which the paper's MNIST network is used (images); narrower rows get two layers.
    static let wideInputs = 256
    /// Optimizer steps the sized epochs aim at, within `epochBounds`.
    static let targetSteps = 3000
    static let epochBounds = 10...150

    /// The settings the pipeline leaves out, sized from `inputs` features and `rows` training rows
    /// (docs/pipeline.md, "The shortest pipeline"), with one printed line per chosen setting.
    ///
    ///     layers  = the paper's [1000, 500, 250, 250, 250]           for inputs ≥ 256 (images)
    ///               [w, w/2], w = clamp(4 × inputs, 128, 1000)        for narrower rows (tables)
    ///     epochs  = clamp(⌈3000 steps / batches per epoch⌉, 10, 150), decay_epochs = ⌈epochs / 3⌉
    public func sized(inputs: Int, rows: Int) -> (LadderConfig, [String]) {
        var c = self
        var notes: [String] = []
        if implicit { notes.append("no stage given: the ladder network, Layerwise's recommended semi-supervised method") }
        let wide = inputs >= Self.wideInputs
        if fromData.contains("layers") {
            let w = min(1000, max(128, 4 * inputs))
            c.layers = wide ? PipelineSchema.ladderLayers : [w, w / 2]
            c.denoisingWeights = LadderSpec.defaultDenoisingWeights(hiddenLayers: c.layers.count).map { Double(String($0)) ?? 0 }
            let why =
                wide
                ? "the paper's MNIST network, for \(inputs) ≥ \(Self.wideInputs) input columns"
                : "4 × \(inputs) input columns within 128…1000, then half"
            notes.append(
                "ladder.layers not set: \(c.layers) (\(why)); denoising_weights [\(c.denoisingWeights.map { String(format: "%g", $0) }.joined(separator: ", "))]"
            )
        }
        let batch = min(c.batchSize, max(rows, 1))
        let batches = max(1, (rows + batch - 1) / batch)
        if fromData.contains("epochs") {
            let e = (Self.targetSteps + batches - 1) / batches
            c.epochs = min(Self.epochBounds.upperBound, max(Self.epochBounds.lowerBound, e))
            notes.append(
                "ladder.epochs not set: \(c.epochs) (\(batches) batches of \(batch) per epoch; \(Self.targetSteps) optimizer steps, "
                    + "within \(Self.epochBounds.lowerBound)…\(Self.epochBounds.upperBound) epochs)")
        }
        if fromData.contains("decay_epochs") {
            c.decayEpochs = (c.epochs + 2) / 3
            notes.append("ladder.decay_epochs not set: \(c.decayEpochs) (the last third of the epochs)")
        }
        return (c, notes)
    }
}

extension PipelineConfig {
    /// A stage trains a classifier: `classifier:` or `ladder:`.
    var trainsClassifier: Bool { classifier != nil || ladder != nil }
}

extension PipelineSchema {
    /// The paper's MNIST network (784-1000-500-250-250-250-10).
    static let ladderLayers = [1000, 500, 250, 250, 250]

    static func readLadder(_ r: ConfigReader) -> LadderConfig {
        let layers = r.intList("layers", default: ladderLayers)
        let activation = r.choice("activation", activations, default: .relu)
        let noise = r.float("noise", default: 0.3, min: 0)
        let expected = layers.count + 2
        var weights = LadderSpec.defaultDenoisingWeights(hiddenLayers: layers.count).map(Double.init)
        if let v = r.value("denoising_weights"), r.has("layers") {
            if let seq = v.sequence {
                let values = seq.enumerated().compactMap { i, item -> Double? in
                    guard let x = item.float ?? item.int.map(Double.init), x.isFinite,
                        item.scalar?.style == .plain || item.scalar?.style == .any
                    else {
                        r.diagnostics.report("\(r.keyPath("denoising_weights"))[\(i)]", item, "expected a number, got \(describe(item))")
                        return nil
                    }
                    if x < 0 { r.diagnostics.report("\(r.keyPath("denoising_weights"))[\(i)]", item, "must be ≥ 0, got \(x)"); return nil }
                    return x
                }
                if values.count == seq.count && values.count != expected {
                    r.report(
                        "denoising_weights",
                        "expected \(expected) values (the input, each of the \(layers.count) hidden layers, the softmax layer), got \(values.count)"
                    )
                } else if values.count == expected {
                    weights = values
                }
            } else {
                r.report("denoising_weights", "expected a list of numbers, got \(describe(v))")
            }
        }
        let epochs = r.int("epochs", default: 150, min: 0)
        var c = LadderConfig(
            layers: layers, activation: activation, noise: noise, denoisingWeights: weights,
            optimizer: readOptimizer(r, default: .adam, learningRate: 0.002),
            epochs: epochs,
            batchSize: r.int("batch_size", default: 100, min: 2),
            decayEpochs: r.int("decay_epochs", default: 50, min: 0),
            earlyStopping: readEarlyStopping(r))
        c.fromData = Set(["layers", "epochs", "decay_epochs"].filter { !r.has($0) })
        if !r.has("layers") && r.has("denoising_weights") {
            r.report("denoising_weights", "needs ladder.layers (one weight per layer; without layers the widths are sized from the data)")
        }
        r.finish()
        return c
    }

    /// What `ladder:` needs from the other sections, reported at `ladder`.
    static func checkLadder(_ r: ConfigReader, _ c: PipelineConfig) {
        guard c.ladder != nil else { return }
        for key in ["classifier", "fine_tune"] where r.has(key) {
            r.report("ladder", "is used instead of classifier: and fine_tune: (it trains its own softmax layer); remove \(key):")
        }
        if c.data.trainLabels == nil { r.report("data", "ladder: needs data.train_labels") }
    }
}
