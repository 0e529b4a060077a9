import LayerwiseMath

/// One Dense layer's weights: `y = activation(x · kernel + bias)`, kernel `[inputs, outputs]`
/// (Keras's layout), bias `[outputs]`.
///
/// The one value every part of Layerwise passes layers around as: what pretraining and
/// the classifier return, what the results file and the checkpoint store, what `encode`,
/// `predict`, `score`, the report and the Keras export read back.
public struct DenseLayer: Equatable, Sendable {
    /// `[inputs, outputs]`.
    public var kernel: Matrix
    /// `[outputs]`.
    public var bias: [Float]
    /// The activation applied to `x · kernel + bias`.
    public var activation: Activation

    /// A layer of `kernel` and `bias`; `bias` holds one value per kernel column.
    public init(kernel: Matrix, bias: [Float], activation: Activation) {
        precondition(bias.count == kernel.cols, "DenseLayer: bias has \(bias.count) values for \(kernel.cols) outputs")
        self.kernel = kernel
        self.bias = bias
        self.activation = activation
    }

    /// Width of the layer's input: the kernel's rows.
    public var inputs: Int { kernel.rows }
    /// Width of the layer's output: the kernel's columns.
    public var outputs: Int { kernel.cols }

    /// The layer's shape and activation (with the default initializer).
    public var spec: DenseSpec { DenseSpec(inputs: inputs, outputs: outputs, activation: activation) }
}
