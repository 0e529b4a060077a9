import CLayerwiseKernels

/// Element-wise activations (softmax per row). Derivatives are computed from the
/// activation's output y, so the backward pass needs no pre-activation copy.
public enum Activation: String, CaseIterable, Sendable {
    case sigmoid, relu, tanh
    case leakyRelu = "leaky_relu"
    case identity, softmax

    /// Slope of leaky_relu for negative inputs (Keras's LeakyReLU default is 0.3,
    /// PyTorch's 0.01; we follow PyTorch).
    public static let leak: Float = 0.01

    /// The kernel code shared with CLayerwiseKernels.
    var code: Int32 {
        switch self {
        case .identity: return Int32(LW_IDENTITY)
        case .sigmoid: return Int32(LW_SIGMOID)
        case .relu: return Int32(LW_RELU)
        case .tanh: return Int32(LW_TANH)
        case .leakyRelu: return Int32(LW_LEAKY_RELU)
        case .softmax: return Int32(LW_SOFTMAX)
        }
    }
}

/// Training losses. Each is fused with the output activation it pairs with, so the
/// gradient with respect to the output layer's logits is exact and stable.
public enum Loss: String, Sendable {
    /// Mean over all elements of (y − t)²; any output activation except softmax.
    case mse
    /// Binary cross-entropy, mean over all elements, computed on the logits of a
    /// sigmoid output layer (never log(σ(z)) directly).
    case bce
    /// Softmax cross-entropy, mean over rows, on the logits of a softmax output layer.
    case crossEntropy = "cross_entropy"
}

/// Dense layer shape and activation: `y = act(x · kernel + bias)`, kernel `[inputs, outputs]`,
/// drawn by `initializer` (biases start at 0).
public struct DenseSpec: Equatable, Sendable {
    /// Width of the layer's input.
    public var inputs: Int
    /// Width of the layer's output.
    public var outputs: Int
    /// The activation applied to `x · kernel + bias`.
    public var activation: Activation
    /// How the kernel is drawn.
    public var initializer: Initializer
    /// A layer of `inputs` to `outputs` units.
    public init(inputs: Int, outputs: Int, activation: Activation, initializer: Initializer = .default) {
        self.inputs = inputs
        self.outputs = outputs
        self.activation = activation
        self.initializer = initializer
    }
}
