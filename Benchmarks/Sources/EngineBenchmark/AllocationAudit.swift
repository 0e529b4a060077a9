import LayerwiseMath
import MallocCounter
import LayerwiseNN

/// malloc-family calls per steady-state step on every training path the pipeline uses,
/// not only the three timed networks: dropout, each input noise, cross-entropy on labels,
/// MSE, a frozen encoder, a network built from saved layers (end to end), a persistent
/// Gaussian RBM whose momentum changes every step, tied weights with the sparsity and
/// contractive penalties, weight decay, and each optimizer. Each path takes 3 warm-up
/// steps, then 10 counted ones.
func allocationAudit(batch: Int) -> [(String, Double)] {
    var rng = RandomGenerator(seed: 2)
    let x = (0..<(batch * 784)).map { _ in rng.uniform() }
    let labels = (0..<batch).map { Int32($0 % 10) }
    var results: [(String, Double)] = []

    func count(_ name: String, _ step: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Int32>) -> Void) {
        x.withUnsafeBufferPointer { xb in
            labels.withUnsafeBufferPointer { yb in
                for _ in 0..<3 { step(xb, yb) }
                let before = lw_allocation_count()
                for _ in 0..<10 { step(xb, yb) }
                results.append((name, Double(lw_allocation_count() - before) / 10))
            }
        }
    }

    // The counter itself: a step that builds one array must count at least 1.
    var sink = 0
    count("counter check (one array per step)") { xb, _ in sink &+= Array(xb.prefix(64)).count }
    precondition(sink > 0)

    let optimizers: [(String, OptimizerConfig)] = [
        ("sgd-nesterov", .sgd(learningRate: 0.01, momentum: 0.9, nesterov: true)),
        ("rmsprop", .rmsprop(learningRate: 1e-3, rho: 0.9, epsilon: 1e-7)),
        ("adamw", .adamw(learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01))
    ]
    for (name, optimizer) in optimizers {
        let head = Network(
            layers: [
                DenseSpec(inputs: 784, outputs: 64, activation: .relu),
                DenseSpec(inputs: 64, outputs: 10, activation: .softmax)
            ],
            maxBatch: batch, rng: &rng, dropout: 0.3)
        head.configure(optimizer: optimizer, weightDecay: 1e-4)
        count("classifier dropout+\(name)") { xb, yb in
            head.trainStep(input: xb, batch: batch, target: .labels(yb), loss: .crossEntropy, rng: &rng)
        }
    }
    let frozen = Network(
        layers: [
            DenseSpec(inputs: 784, outputs: 256, activation: .relu),
            DenseSpec(inputs: 256, outputs: 64, activation: .relu),
            DenseSpec(inputs: 64, outputs: 10, activation: .softmax)
        ], maxBatch: batch, rng: &rng)
    frozen.setFrozen(0, true)
    frozen.configure(optimizer: .defaultAdam)
    count("frozen encoder + head") { xb, yb in
        frozen.trainStep(input: xb, batch: batch, target: .labels(yb), loss: .crossEntropy, rng: &rng)
    }
    for noise in [NoiseConfig.masking(level: 0.2), .gaussian(stddev: 0.1), .saltPepper(level: 0.1)] {
        let e2e = Network(
            layers: [
                DenseSpec(inputs: 784, outputs: 128, activation: .sigmoid),
                DenseSpec(inputs: 128, outputs: 784, activation: .identity)
            ], maxBatch: batch, rng: &rng)
        e2e.configure(optimizer: .defaultAdam)
        count("autoencoder mse \(noise)") { xb, _ in
            e2e.trainStep(input: xb, batch: batch, target: .values(xb), loss: .mse, noise: noise, rng: &rng)
        }
    }
    // The end-to-end path: a network built from saved layers, weight decay, masking noise.
    var layerRNG = RandomGenerator(seed: 3)
    let saved = Network(
        layers: [
            DenseSpec(inputs: 784, outputs: 128, activation: .relu),
            DenseSpec(inputs: 128, outputs: 784, activation: .sigmoid)
        ], maxBatch: batch, rng: &layerRNG)
    let fromLayers = Network(layers: saved.denseLayers, maxBatch: batch)
    fromLayers.configure(optimizer: .defaultAdam, weightDecay: 1e-4)
    count("network from layers, bce + weight decay + masking") { xb, _ in
        fromLayers.trainStep(input: xb, batch: batch, target: .values(xb), loss: .bce, noise: .masking(level: 0.2), rng: &rng)
    }
    let pcd = RBM(
        visible: 784, hidden: 128, visibleUnits: .gaussian, cdSteps: 2, persistent: true, learningRate: 0.01,
        momentum: 0.5, weightDecay: 2e-4, maxBatch: batch, rng: &rng)
    count("rbm pcd-2 gaussian, momentum schedule") { xb, _ in
        pcd.momentum = pcd.momentum == 0.5 ? 0.9 : 0.5
        pcd.trainStep(input: xb, batch: batch, rng: &rng)
    }
    let penalised = ShallowAutoencoder(
        inputs: 784, hidden: 128, activation: .sigmoid, outputActivation: .sigmoid,
        loss: .bce, tiedWeights: true, noise: .masking(level: 0.2),
        sparsity: (target: 0.05, weight: 3), contractiveWeight: 0.1, weightDecay: 1e-4,
        maxBatch: batch, optimizer: .defaultAdam, rng: &rng)
    count("shallow tied+sparse+contractive") { xb, _ in _ = penalised.trainStep(input: xb, batch: batch, rng: &rng) }
    // The ladder network: clean, corrupted and labeled passes, decoder, noise, running
    // statistics and the learning-rate schedule's retune, every step.
    let ladder = LadderNetwork(
        LadderSpec(
            inputs: 784, hidden: [256, 128], classes: 10, activation: .relu, noise: 0.3,
            denoisingWeights: [1000, 10, 0.1, 0.1]), maxBatch: batch, rng: &rng)
    var lr: Float = 0.002
    count("ladder 784-256-128-10") { xb, yb in
        lr *= 0.999
        ladder.retune(optimizer: .adam(learningRate: lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8))
        ladder.trainStep(
            unlabeled: xb.baseAddress!, rows: batch, labeled: xb.baseAddress!, labels: yb.baseAddress!,
            labeledRows: batch, rng: &rng)
    }
    return results
}
