import Foundation
import LayerwiseHDF5
import LayerwiseMath
import MallocCounter
import LayerwiseNN

// Samples per second of forward + backward + Adam at batch 256 on real data in memory,
// median of several timed runs, and malloc calls per steady-state step.
// usage: EngineBenchmark [--threads 2] [--runs 5] [--steps 40] [--data Datasets/fashion-mnist-small.h5] [--audit]
// --audit: instead, malloc calls per step on every other training path (allocationAudit).
// --noise-timing: instead, ms per step of a small autoencoder under each input noise.

var threads = 2, runs = 5, steps = 40, audit = false, noiseOnly = false
var dataPath = "../Datasets/fashion-mnist-small.h5"
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--threads": threads = Int(args.popFirst() ?? "") ?? threads
    case "--runs": runs = Int(args.popFirst() ?? "") ?? runs
    case "--steps": steps = Int(args.popFirst() ?? "") ?? steps
    case "--data": dataPath = args.popFirst() ?? dataPath
    case "--audit": audit = true
    case "--noise-timing": noiseOnly = true
    default: break
    }
}
BLAS.setThreads(threads)
let batch = 256
if noiseOnly {
    for (name, ms) in noiseTiming(batch: batch) { print(String(format: "noise %@: %.2f ms/step", name, ms)) }
    exit(0)
}
if audit {
    for (name, allocs) in allocationAudit(batch: batch) {
        print(String(format: "audit %@: %.1f allocs/step", name, allocs))
    }
    exit(0)
}
let pixels = try H5File.open(dataPath).root.dataset("train/images").read(as: Float.self).map { $0 / 255 }
let rows = pixels.count / 784

/// Times `steps` steps after a warm-up; returns samples/s of each run and mallocs per step.
func measure(_ step: (UnsafeBufferPointer<Float>) -> Void) -> (median: Double, all: [Double], allocsPerStep: Double) {
    var rates: [Double] = []
    var allocs = 0.0
    pixels.withUnsafeBufferPointer { all in
        func batchAt(_ i: Int) -> UnsafeBufferPointer<Float> {
            let start = (i * batch) % (rows - batch)
            return UnsafeBufferPointer(rebasing: all[(start * 784)..<((start + batch) * 784)])
        }
        for i in 0..<5 { step(batchAt(i)) }
        for _ in 0..<runs {
            let before = lw_allocation_count()
            let t0 = DispatchTime.now().uptimeNanoseconds
            for i in 0..<steps { step(batchAt(i)) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            allocs = Double(lw_allocation_count() - before) / Double(steps)
            rates.append(Double(steps * batch) / seconds)
        }
    }
    return (rates.sorted()[rates.count / 2], rates, allocs)
}

var rng = RandomGenerator(seed: 0)
var noiseRNG = RandomGenerator(seed: 1)
let adam = OptimizerConfig.defaultAdam
var results: [(String, Double, Double)] = []

let shallow = ShallowAutoencoder(
    inputs: 784, hidden: 512, activation: .relu, outputActivation: .sigmoid, loss: .bce,
    tiedWeights: false, noise: .none, sparsity: nil, contractiveWeight: nil, weightDecay: 0,
    maxBatch: batch, optimizer: adam, rng: &rng)
let r1 = measure { _ = shallow.trainStep(input: $0, batch: batch, rng: &noiseRNG) }
results.append(("784-512-784", r1.median, r1.allocsPerStep))

func unrolled(_ widths: [Int]) -> Network {
    var specs: [DenseSpec] = []
    for i in 0..<(widths.count - 1) {
        specs.append(DenseSpec(inputs: widths[i], outputs: widths[i + 1], activation: i == widths.count - 2 ? .sigmoid : .relu))
    }
    let net = Network(layers: specs, maxBatch: batch, rng: &rng)
    net.configure(optimizer: adam)
    return net
}
for widths in [[784, 512, 256, 64, 256, 512, 784], [784, 1000, 500, 250, 30, 250, 500, 1000, 784]] {
    let net = unrolled(widths)
    let r = measure { net.trainStep(input: $0, batch: batch, target: .values($0), loss: .bce, rng: &noiseRNG) }
    results.append((widths.map(String.init).joined(separator: "-"), r.median, r.allocsPerStep))
}
// The other pretraining models: a CD-1 step of a 784-512 RBM (momentum SGD, weight
// cost) and a step of a 784-512-256-(64)-256-512-784 VAE (Adam).
let rbm = RBM(
    visible: 784, hidden: 512, visibleUnits: .bernoulli, cdSteps: 1, learningRate: 0.1, momentum: 0.9,
    weightDecay: 0.0002, maxBatch: batch, rng: &rng)
let r2 = measure { rbm.trainStep(input: $0, batch: batch, rng: &noiseRNG) }
results.append(("rbm-784-512-cd1", r2.median, r2.allocsPerStep))
let vae = VariationalAutoencoder(
    inputs: 784, hidden: [512, 256], latent: 64, activation: .relu, outputActivation: .sigmoid,
    loss: .bce, beta: 1, maxBatch: batch, optimizer: adam, rng: &rng)
let r3 = measure { vae.trainStep(input: $0, batch: batch, rng: &noiseRNG) }
results.append(("vae-784-512-256-64", r3.median, r3.allocsPerStep))
// One ladder step (Rasmus et al. 2015) of the paper's network: the batch as the
// unlabeled rows and again as the labeled rows (clean + corrupted + labeled passes,
// decoder, denoising costs, Adam); samples/s counts the unlabeled rows.
let ladder = LadderNetwork(
    LadderSpec(
        inputs: 784, hidden: [1000, 500, 250, 250, 250], classes: 10, activation: .relu,
        noise: 0.3, denoisingWeights: [1000, 10, 0.1, 0.1, 0.1, 0.1, 0.1]),
    maxBatch: batch, rng: &rng)
let ladderLabels = (0..<batch).map { Int32($0 % 10) }
let r4 = measure { x in
    ladderLabels.withUnsafeBufferPointer { y in
        _ = ladder.trainStep(
            unlabeled: x.baseAddress!, rows: batch, labeled: x.baseAddress!, labels: y.baseAddress!,
            labeledRows: batch, rng: &noiseRNG)
    }
}
results.append(("ladder-784-1000-500-250-250-250-10", r4.median, r4.allocsPerStep))
// One virtual adversarial training step (Miyato et al. 2018) of the paper's MNIST network
// 784-1200-600-300-150-10 (ReLU): the batch as the unlabeled rows (clean pass, one power
// iteration, the perturbed pass) beside 64 labeled rows, Adam; samples/s counts the unlabeled rows.
let vatWidths = [784, 1200, 600, 300, 150, 10]
let vatNet = Network(
    layers: (0..<(vatWidths.count - 1)).map {
        DenseSpec(inputs: vatWidths[$0], outputs: vatWidths[$0 + 1], activation: $0 == vatWidths.count - 2 ? .softmax : .relu)
    }, maxBatch: batch + 64, rng: &rng)
vatNet.configure(optimizer: adam)
let vatLabels = (0..<64).map { Int32($0 % 10) }
let vatSettings = VATSettings(epsilon: 2, xi: 0.2)
let r5 = measure { x in
    vatLabels.withUnsafeBufferPointer { y in
        _ = vatNet.vatStep(
            labeled: x.baseAddress!, target: .labels(y), labeledRows: 64, unlabeled: x.baseAddress!, rows: batch,
            settings: vatSettings, rng: &noiseRNG)
    }
}
results.append(("vat-784-1200-600-300-150-10", r5.median, r5.allocsPerStep))

for (name, rate, allocs) in results {
    print(String(format: "layerwise %@ %.0f samples/s %.1f allocs/step", name, rate, allocs))
}
