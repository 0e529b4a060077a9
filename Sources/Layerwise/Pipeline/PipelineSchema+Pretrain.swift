import LayerwiseNN

extension PipelineSchema {
    static func readPretrain(_ r: ConfigReader, scale: ScaleKind) -> PretrainConfig {
        let layers = r.intList("layers", default: [])
        if r.node != nil && !r.has("layers") {
            r.diagnostics.report(r.keyPath("layers"), r.node, "missing: expected a list of layer widths, e.g. [512, 256, 64]")
        } else if r.has("layers") && r.value("layers") == nil {
            // `layers:` with nothing after it (null, ~, a tab) has no default to fall back on.
            r.report("layers", "expected a list of layer widths, e.g. [512, 256, 64], got nothing")
        } else if r.value("layers")?.sequence?.isEmpty == true || (layers.isEmpty && r.node != nil && r.diagnostics.problems.isEmpty) {
            // (An encoder of no layers must never reach the engine, whatever spelling led here;
            // `pretrain:` itself empty is reported by the caller.)
            r.report("layers", "needs at least one layer width")
        }
        let kind = r.choice("model", AutoencoderModel.allCases, default: .basic)
        let activation = r.choice("activation", activations, default: kind == .rbm ? .sigmoid : .relu)
        let unitData = scale.isUnitInterval
        let outputActivation = r.choice("output_activation", activations, default: unitData ? .sigmoid : .identity)
        let loss = r.choice("loss", losses, default: unitData ? .bce : .mse)
        if loss == .bce && outputActivation != .sigmoid {
            r.report("loss", "bce needs output_activation: sigmoid (got \(outputActivation.rawValue))")
        }
        let tied = r.bool("tied_weights", default: false)
        let model = readModel(r, kind, activation: activation, outputActivation: outputActivation, tied: tied)
        // Hinton's guide §10: a small L2 cost (0.0002 for his MNIST DBN) on RBM weights.
        let weightDecay = r.float("weight_decay", default: kind == .rbm ? 0.0002 : 0, min: 0)
        let optimizer = readOptimizer(r, default: .adam, learningRate: 0.001)
        let epochs = r.int("epochs", default: 5, min: 0)
        let epochsFromData = r.value("epochs") == nil
        let batch = r.int("batch_size", default: 256, min: 1)
        var e2e: EndToEndConfig? = nil
        if r.has("end_to_end") {
            if kind == .vae { r.report("end_to_end", "model: vae trains encoder and decoder together already (pretrain.epochs)") }
            let e = r.section("end_to_end")
            var noise: NoiseSettings? = nil
            if case .denoising(let n) = model { noise = n }
            e2e = EndToEndConfig(
                epochs: e.int("epochs", default: 5, min: 0),
                epochsFromData: e.value("epochs") == nil,
                batchSize: e.int("batch_size", default: batch, min: 1),
                optimizer: e.has("optimizer")
                    ? readOptimizer(e, default: .adam, learningRate: 0.001)
                    : {
                        _ = e.value("optimizer"); return optimizer
                    }(),
                // A denoising stack stays denoising end to end unless told otherwise.
                noise: e.has("noise")
                    ? readNoise(e.section("noise"))
                    : {
                        _ = e.value("noise"); return noise
                    }(),
                // An RBM's weight cost belongs to contrastive divergence; backprop through
                // the unrolled DBN has none unless asked (Hinton & Salakhutdinov 2006).
                weightDecay: e.float("weight_decay", default: kind == .rbm ? 0 : weightDecay, min: 0))
            e.finish()
        }
        r.finish()
        return PretrainConfig(
            layers: layers, model: model, activation: activation, outputActivation: outputActivation, loss: loss,
            tiedWeights: tied, weightDecay: weightDecay, optimizer: optimizer, epochs: epochs, epochsFromData: epochsFromData,
            batchSize: batch, endToEnd: e2e)
    }

    /// `pretrain.model` and the section of settings that belongs to it (`noise`,
    /// `sparsity`, `contractive`, `rbm`, `vae`); another model's section is an error.
    static func readModel(
        _ r: ConfigReader, _ kind: AutoencoderModel, activation: Activation,
        outputActivation: Activation, tied: Bool
    ) -> PretrainModel {
        let owners: [(key: String, model: AutoencoderModel)] =
            [("noise", .denoising), ("sparsity", .sparse), ("contractive", .contractive), ("rbm", .rbm), ("vae", .vae)]
        for (key, owner) in owners where owner != kind {
            if r.has(key) { r.report(key, "is used only with model: \(owner.rawValue) (model is \(kind.rawValue))") }
            _ = r.value(key)
        }
        let needsSigmoid: [AutoencoderModel: String] = [
            .rbm: "has binary (sigmoid) hidden units",
            .sparse: "needs activation: sigmoid (the KL penalty treats activations as firing rates in (0, 1))",
            .contractive: "needs activation: sigmoid"
        ]
        if let why = needsSigmoid[kind], activation != .sigmoid {
            r.report("activation", "model: \(kind.rawValue) \(why); got \(activation.rawValue)")
        }
        switch kind {
        case .basic:
            return .basic
        case .denoising:
            return .denoising(r.has("noise") ? readNoise(r.section("noise")) : NoiseSettings(kind: .masking, level: 0.2))
        case .sparse:
            let s = r.section("sparsity")
            defer { s.finish() }
            return .sparse(
                SparsitySettings(
                    target: s.float("target", default: 0.05, min: 0, max: 1, exclusiveMin: true),
                    weight: s.float("weight", default: 3.0, min: 0)))
        case .contractive:
            let c = r.section("contractive")
            defer { c.finish() }
            return .contractive(weight: c.float("weight", default: 0.1, min: 0))
        case .rbm:
            if tied { r.report("tied_weights", "an RBM has one weight matrix; the DBN's decoder starts from its transpose") }
            if r.has("optimizer") {
                r.report(
                    "optimizer",
                    "is not used by model: rbm (CD updates use rbm.learning_rate and rbm.momentum); end_to_end.optimizer sets the unrolled network's"
                )
            }
            return .rbm(readRBM(r.section("rbm"), outputActivation: outputActivation))
        case .vae:
            if tied { r.report("tied_weights", "a VAE's decoder has its own weights") }
            let v = r.section("vae")
            defer { v.finish() }
            return .vae(
                VAESettings(
                    beta: v.float("beta", default: 1, min: 0),
                    klWarmupEpochs: v.int("kl_warmup_epochs", default: 0, min: 0)))
        }
    }

    /// `rbm:` under `pretrain:`. Bernoulli visible units reconstruct through a sigmoid,
    /// Gaussian ones through the identity: the choice follows `output_activation`
    /// (itself following `data.scale`) unless given, and must agree with it.
    static func readRBM(_ r: ConfigReader, outputActivation: Activation) -> RBMSettings {
        let implied: RBMSettings.Visible = outputActivation == .sigmoid ? .bernoulli : .gaussian
        let visible = r.choice("visible", RBMSettings.Visible.allCases, default: implied)
        if visible == .bernoulli && outputActivation != .sigmoid {
            r.report("visible", "bernoulli visible units reconstruct through a sigmoid; output_activation is \(outputActivation.rawValue)")
        }
        if visible == .gaussian && outputActivation != .identity {
            r.report(
                "visible",
                "gaussian visible units reconstruct linearly: set output_activation: identity and loss: mse (and data.scale: standardize)")
        }
        let s = RBMSettings(
            cdSteps: r.int("cd_steps", default: 1, min: 1),
            persistent: r.bool("persistent", default: false),
            visible: visible,
            learningRate: r.float("learning_rate", default: visible == .bernoulli ? 0.1 : 0.01, min: 0, exclusiveMin: true),
            momentum: r.float("momentum", default: 0.9, min: 0, max: 1),
            initialMomentum: r.float("initial_momentum", default: 0.5, min: 0, max: 1),
            initialMomentumEpochs: r.int("initial_momentum_epochs", default: 5, min: 0))
        r.finish()
        return s
    }

    static func readNoise(_ r: ConfigReader) -> NoiseSettings {
        let kind =
            NoiseSettings.Kind(rawValue: r.choice("type", NoiseSettings.Kind.allCases.map(\.rawValue), default: "masking")) ?? .masking
        let level = r.float("level", default: 0.2, min: 0, max: kind == .gaussian ? 100 : 1)
        r.finish()
        return NoiseSettings(kind: kind, level: level)
    }

}
