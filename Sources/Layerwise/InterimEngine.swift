// Interim: what NeuralNet is about to provide (draw-free Network from DenseLayers, an
// inference-only network). Deleted when that lands.
import LinearAlgebra
import NeuralNet

extension Network {
    convenience init(layers: [DenseLayer], maxBatch: Int = 256, dropout: Float = 0) {
        var rng = RandomGenerator(seed: 0)
        self.init(layers: layers.map(\.spec), maxBatch: maxBatch, rng: &rng, dropout: dropout)
        for (i, l) in layers.enumerated() { setKernel(i, l.kernel); setBias(i, l.bias) }
    }

    var denseLayers: [DenseLayer] {
        (0..<layerCount).map { DenseLayer(kernel: kernel($0), bias: bias($0), activation: specs[$0].activation) }
    }
}

final class InferenceNetwork {
    let net: Network
    init(_ layers: [DenseLayer], maxBatch: Int = 256) { net = Network(layers: layers, maxBatch: maxBatch) }
    func predict(_ x: Matrix, upTo layer: Int? = nil) -> Matrix { net.predict(x, upTo: layer) }
    func rowMeanSquaredErrors(_ x: Matrix) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(x.rows)
        let chunk = 4096
        var start = 0
        while start < x.rows {
            let end = min(start + chunk, x.rows)
            let part = gather(x, Array(start..<end))
            let r = net.predict(part)
            for i in 0..<part.rows {
                var s: Float = 0
                for j in 0..<x.cols { let d = r.storage[i * x.cols + j] - part.storage[i * x.cols + j]; s += d * d }
                out.append(s / Float(x.cols))
            }
            start = end
        }
        return out
    }
}
