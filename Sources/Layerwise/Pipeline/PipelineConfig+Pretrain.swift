import LayerwiseNN

// The `pretrain:` section's settings (read in PipelineSchema+Pretrain.swift).

/// The names `pretrain.model` takes.
public enum AutoencoderModel: String, Sendable, CaseIterable {
    case basic, denoising, sparse, contractive, rbm, vae
}

/// `pretrain.model` with the settings that belong to it.
public enum PretrainModel: Sendable, Equatable {
    case basic
    /// Trained to reconstruct the clean input from a corrupted one (Vincent et al. 2008).
    case denoising(NoiseSettings)
    /// A KL penalty pulls each unit's mean activation towards a target rate (Ng's sparse autoencoder).
    case sparse(SparsitySettings)
    /// The squared Frobenius norm of the encoder's Jacobian, weighted (Rifai et al. 2011).
    case contractive(weight: Double)
    /// Restricted Boltzmann machines stacked into a Deep Belief Network.
    case rbm(RBMSettings)
    /// One variational autoencoder trained whole.
    case vae(VAESettings)

    /// The model's name, without its settings.
    public var kind: AutoencoderModel {
        switch self {
        case .basic: return .basic
        case .denoising: return .denoising
        case .sparse: return .sparse
        case .contractive: return .contractive
        case .rbm: return .rbm
        case .vae: return .vae
        }
    }
}

/// `pretrain.sparsity:` — settings of `model: sparse`.
public struct SparsitySettings: Sendable, Equatable {
    /// The mean activation ρ each hidden unit is pulled towards.
    public var target: Double
    /// Weight β of the KL(ρ ‖ ρ̂) penalty.
    public var weight: Double
}

/// `pretrain.vae:` — settings of `model: vae`.
public struct VAESettings: Sendable, Equatable {
    /// Weight of the KL term (β-VAE; 1 is the ELBO).
    public var beta: Double
    /// Epochs over which β ramps linearly from β/N up to β (0: β from the start).
    public var klWarmupEpochs: Int
}

/// `pretrain.rbm:` — contrastive divergence settings of `model: rbm` (a DBN).
public struct RBMSettings: Sendable, Equatable {
    /// `rbm.visible`: Bernoulli (probabilities in [0, 1]) or Gaussian (unit variance) visible units.
    public enum Visible: String, Sendable, CaseIterable { case bernoulli, gaussian }
    /// Gibbs steps k of CD-k / PCD-k.
    public var cdSteps: Int
    /// Persistent CD (Tieleman 2008): the negative chain carries over between updates.
    public var persistent: Bool
    /// Units of the first layer's visible side; deeper layers are always Bernoulli.
    public var visible: Visible
    /// `rbm.learning_rate`: the step size of the CD update.
    public var learningRate: Double
    /// Momentum after `initialMomentumEpochs` epochs at `initialMomentum` (guide §9: 0.5 then 0.9).
    public var momentum: Double
    /// `rbm.initial_momentum`: the momentum of the first `initialMomentumEpochs` epochs.
    public var initialMomentum: Double
    /// `rbm.initial_momentum_epochs`: epochs trained at `initialMomentum` before `momentum` applies.
    public var initialMomentumEpochs: Int
}

/// An `optimizer:` mapping of a stage; the keys the chosen `name` does not take hold their defaults.
public struct OptimizerSettings: Sendable, Equatable {
    /// The names `optimizer.name` takes.
    public enum Name: String, Sendable, CaseIterable { case sgd, rmsprop, adam, adamw }
    /// `optimizer.name`: the update rule.
    public var name: Name
    /// `optimizer.learning_rate`: the step size.
    public var learningRate: Double
    /// `optimizer.momentum` (`sgd`): the momentum coefficient μ.
    public var momentum: Double
    /// `optimizer.nesterov` (`sgd`): whether the momentum is Nesterov's.
    public var nesterov: Bool
    /// `optimizer.beta1` (`adam`, `adamw`): the decay rate of the first-moment estimate.
    public var beta1: Double
    /// `optimizer.beta2` (`adam`, `adamw`): the decay rate of the second-moment estimate.
    public var beta2: Double
    /// `optimizer.epsilon` (`rmsprop`, `adam`, `adamw`): the term added to the denominator for numerical stability.
    public var epsilon: Double
    /// `optimizer.rho` (`rmsprop`): the decay rate of the mean squared gradient.
    public var rho: Double
    /// `optimizer.weight_decay` (`adamw`): the decoupled weight decay λ.
    public var weightDecay: Double
}

/// A `noise:` mapping: how a denoising autoencoder corrupts its training inputs.
public struct NoiseSettings: Sendable, Equatable {
    /// The names `noise.type` takes.
    public enum Kind: String, Sendable, CaseIterable {
        case masking, gaussian
        case saltPepper = "salt_pepper"
    }
    /// `noise.type`: masking to 0, added Gaussian noise, or salt-and-pepper.
    public var kind: Kind
    /// `noise.level`: the probability an input is corrupted; for `gaussian`, the standard deviation.
    public var level: Double
}

/// `pretrain:` — greedy layer-wise pretraining of the stacked autoencoder on the training rows.
public struct PretrainConfig: Sendable {
    /// `pretrain.layers`: encoder widths, input side first; the last is the bottleneck.
    public var layers: [Int]
    /// `pretrain.model` with the settings of that model.
    public var model: PretrainModel
    /// `pretrain.activation`: the activation of every encoder layer.
    public var activation: Activation
    /// Decoder output of the first (input-facing) layer; deeper layers reconstruct the
    /// previous codes with `identity` + MSE (or sigmoid + BCE when codes are sigmoid).
    public var outputActivation: Activation
    /// `pretrain.loss`: the first layer's reconstruction loss.
    public var loss: Loss
    /// `pretrain.tied_weights`: whether the decoder kernel is the encoder kernel transposed.
    public var tiedWeights: Bool
    /// `pretrain.weight_decay`: the L2 penalty on kernels; for `rbm`, the weight cost of the CD update.
    public var weightDecay: Double
    /// `pretrain.optimizer`: the optimizer of each layer (of the whole network for `vae`).
    public var optimizer: OptimizerSettings
    /// Epochs per layer (of the whole network for `vae`).
    public var epochs: Int
    /// `epochs` was not given: the run raises it to reach `TrainingPlan.minimumSteps` (see `TrainingPlan`).
    public var epochsFromData = false
    /// `pretrain.batch_size`: rows per minibatch.
    public var batchSize: Int
    /// `pretrain.end_to_end`: training of the unrolled deep autoencoder after the greedy layers; nil when absent.
    public var endToEnd: EndToEndConfig?
}

/// `pretrain.end_to_end:` — the unrolled encoder + decoder trained as a whole to reconstruct the input.
public struct EndToEndConfig: Sendable {
    /// `end_to_end.epochs`: passes over the training rows.
    public var epochs: Int
    /// `epochs` was not given: the run raises it to reach `TrainingPlan.minimumSteps` (see `TrainingPlan`).
    public var epochsFromData = false
    /// `end_to_end.batch_size`: rows per minibatch (by default `pretrain.batch_size`).
    public var batchSize: Int
    /// `end_to_end.optimizer`: the optimizer (by default `pretrain.optimizer`).
    public var optimizer: OptimizerSettings
    /// `end_to_end.noise`: input corruption (by default `pretrain.noise`); nil trains on clean inputs.
    public var noise: NoiseSettings?
    /// `end_to_end.weight_decay`: the L2 penalty on kernels (by default `pretrain.weight_decay`, 0 for `rbm`).
    public var weightDecay: Double
}
