import CLayerwiseKernels

/// The reconstruction term of every autoencoder (a Network's values output, the shallow
/// autoencoder, the VAE's decoder): BCE on the logits of a sigmoid output, or squared
/// error on the output through its activation's derivative.
extension Loss {
    /// Stops with a message unless this loss can compare an output of `activation` with values.
    func checkReconstruction(outputActivation activation: Activation, model: String) {
        precondition(self != .bce || activation == .sigmoid, "\(model): BCE needs a sigmoid output")
        precondition(self != .crossEntropy && activation != .softmax, "\(model): reconstructs values, not classes")
    }

    /// Σ over `rows × cols` elements of the loss of output `y` = act(`z`) against `t`;
    /// writes ∂(scale · Σ)/∂z into `dz`. BCE reads only the logits z (y may be stale),
    /// squared error only y.
    func reconstructionSum(
        logits z: UnsafePointer<Float>, output y: UnsafePointer<Float>, target t: UnsafePointer<Float>,
        gradient dz: UnsafeMutablePointer<Float>, rows: Int, cols: Int, activation: Activation,
        scale: Float
    ) -> Double {
        let n = rows * cols
        switch self {
        case .bce:
            return lw_bce_logits(z, t, dz, n, scale)
        case .mse:
            let total = lw_mse(y, t, dz, n, scale)
            lw_activation_backward(dz, y, Int32(rows), Int32(cols), activation.code, Activation.leak)
            return total
        case .crossEntropy:
            preconditionFailure("cross-entropy compares classes, not reconstructions")
        }
    }
}
