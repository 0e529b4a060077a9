import Foundation
import NeuralNet
import Yams

/// Defaults and ranges of every pipeline key, in one place (documented in docs/pipeline.md).
///
/// Each `read` takes a `ConfigReader` positioned at its section, reports every problem
/// it finds and returns a value built from defaults where a key was bad, so one pass
/// lists all problems of a file.
enum PipelineSchema {
    /// Every activation but softmax, which only the classifier's output layer has.
    static let activations: [Activation] = [.sigmoid, .relu, .tanh, .leakyRelu, .identity]
    /// Reconstruction losses.
    static let losses: [Loss] = [.bce, .mse]

    static func read(_ r: ConfigReader, defaultName: String) -> PipelineConfig {
        let name = r.string("name", default: defaultName) ?? defaultName
        let seed = r.int("seed", default: 0, min: 0)
        let data = readData(r.section("data"))
        let pretrain = r.has("pretrain") ? readPretrain(r.section("pretrain"), scale: data.scale) : nil
        // `pretrain:` with nothing after it (or `--set pretrain=null`) would be a stage of defaults, as for the
        // other stages, but layer widths have none (an encoder of no layers crashed the run).
        if r.has("pretrain") && r.value("pretrain") == nil {
            r.report("pretrain", "is empty: give at least layers: [...], or leave pretrain: out to train on the labels alone")
        }
        let classifier = r.has("classifier") ? readClassifier(r.section("classifier")) : nil
        let fineTune = r.has("fine_tune") ? readFineTune(r.section("fine_tune")) : nil
        let anomaly = r.has("anomaly") ? readAnomaly(r.section("anomaly")) : nil
        let evaluate = readEvaluate(r.section("evaluate"))
        let output = readOutput(r.section("output"))
        if r.value("matrix") != nil {
            r.report("matrix", "a sweep runs through `layerwise run`; this entry point takes one pipeline")
        }
        r.finish()
        if fineTune != nil && classifier == nil {
            r.report("fine_tune", "needs a classifier: stage (the head to train with the encoder)")
        }
        if fineTune != nil && pretrain == nil {
            r.report("fine_tune", "needs a pretrain: stage (without one the classifier already trains every layer)")
        }
        if classifier != nil && data.trainLabels == nil {
            r.report("data", "classifier: needs data.train_labels")
        }
        if pretrain == nil && classifier == nil && anomaly == nil {
            r.report("", "nothing to do: give at least one of pretrain:, classifier:, anomaly:")
        }
        if anomaly?.normalClasses != nil && data.trainLabels == nil {
            r.report("anomaly.normal_classes", "needs data.train_labels to know which rows are normal")
        }
        if anomaly != nil && pretrain == nil {
            r.report("anomaly", "needs a pretrain: stage (scores are the autoencoder's reconstruction errors)")
        }
        if let n = fineTune?.unfreezeLast, let depth = pretrain?.layers.count, n > depth {
            r.report(path: ["fine_tune", "unfreeze"], "\(n) layers asked, the encoder has \(depth)")
        }
        if !evaluate.expect.isEmpty && (data.test == nil || data.testLabels == nil) {
            r.report(path: ["evaluate", "expect"], "needs data.test and data.test_labels to measure")
        }
        for e in evaluate.expect where ["roc_auc", "average_precision"].contains(e.metric) && anomaly?.normalClasses == nil {
            r.report(path: ["evaluate", "expect", e.metric], "is measured only with anomaly.normal_classes (which test rows are anomalies)")
        }
        for e in evaluate.expect where ["accuracy", "macro_f1", "log_loss"].contains(e.metric) && classifier == nil {
            r.report(path: ["evaluate", "expect", e.metric], "is measured only with a classifier: stage")
        }
        return PipelineConfig(
            name: name, seed: UInt64(seed), data: data, pretrain: pretrain, classifier: classifier,
            fineTune: fineTune, anomaly: anomaly, evaluate: evaluate, output: output)
    }

    // MARK: data

    static func readData(_ r: ConfigReader) -> DataConfig {
        if r.node == nil { r.diagnostics.report("data", nil, "missing: the pipeline needs data.train") }
        let train = datasetRef(r, "train", required: r.node != nil)
        let trainLabels = datasetRef(r, "train_labels", required: false)
        let test = datasetRef(r, "test", required: false)
        let testLabels = datasetRef(r, "test_labels", required: false)
        if (test == nil) != (testLabels == nil) && test == nil {
            r.report("test_labels", "given without data.test")
        }
        let scale = ScaleKind(rawValue: r.choice("scale", ScaleKind.allCases.map(\.rawValue), default: "unit")) ?? .unit
        let labeled = readLabeled(r)
        var validation = 0.1
        if r.has("validation") {
            let v = r.section("validation")
            validation = v.float("fraction", default: 0.1, min: 0, max: 0.9)
            v.finish()
        } else { _ = r.value("validation") }
        r.finish()
        return DataConfig(
            train: train ?? DatasetRef(file: "", dataset: ""), trainLabels: trainLabels, test: test,
            testLabels: testLabels, scale: scale, labeled: labeled, validationFraction: validation)
    }

    /// `file.h5:/group/ds`, or a mapping `{file: …, dataset: …}`.
    static func datasetRef(_ r: ConfigReader, _ key: String, required: Bool) -> DatasetRef? {
        guard let v = r.value(key) else {
            if required { r.diagnostics.report(r.keyPath(key), r.node, "missing: expected file.h5:/path/to/dataset") }
            return nil
        }
        if v.mapping != nil {
            let m = r.section(key)
            let file = m.string("file") ?? ""
            let ds = m.string("dataset") ?? ""
            m.finish()
            if file.isEmpty || ds.isEmpty { r.report(key, "needs both file: and dataset:"); return nil }
            return DatasetRef(file: file, dataset: ds.hasPrefix("/") ? ds : "/" + ds)
        }
        guard let s = v.scalar?.string, let colon = s.lastIndex(of: ":"), colon != s.startIndex,
              s.index(after: colon) != s.endIndex else {
            r.report(key, "expected file.h5:/path/to/dataset, got \(describe(v))"); return nil
        }
        let ds = String(s[s.index(after: colon)...])
        return DatasetRef(file: String(s[..<colon]), dataset: ds.hasPrefix("/") ? ds : "/" + ds)
    }

    static func readLabeled(_ r: ConfigReader) -> LabeledSelection {
        guard r.has("labeled") else { _ = r.value("labeled"); return .all }
        let l = r.section("labeled")
        let given = l.keys
        var result = LabeledSelection.all
        if given.count != 1 {
            r.report("labeled", "expected exactly one of per_class, count, fraction, all")
        }
        if l.has("per_class") { result = .perClass(l.int("per_class", default: 1, min: 1)) }
        if l.has("count") { result = .count(l.int("count", default: 1, min: 1)) }
        if l.has("fraction") { result = .fraction(l.float("fraction", default: 1, min: 0, max: 1, exclusiveMin: true)) }
        if l.has("all") {
            if !l.bool("all", default: true) { l.report("all", "only `all: true` is meaningful") }
        }
        l.finish()
        return result
    }

    // MARK: pretrain

    static func readPretrain(_ r: ConfigReader, scale: ScaleKind) -> PretrainConfig {
        let layers = r.intList("layers", default: [])
        if r.node != nil && !r.has("layers") { r.diagnostics.report(r.keyPath("layers"), r.node, "missing: expected a list of layer widths, e.g. [512, 256, 64]") }
        else if r.value("layers")?.sequence?.isEmpty == true { r.report("layers", "needs at least one layer width") }
        let kind = r.choice("model", AutoencoderModel.allCases, default: .basic)
        let activation = r.choice("activation", activations, default: kind == .rbm ? .sigmoid : .relu)
        let unitData = scale == .unit
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
        let batch = r.int("batch_size", default: 256, min: 1)
        var e2e: EndToEndConfig? = nil
        if r.has("end_to_end") {
            if kind == .vae { r.report("end_to_end", "model: vae trains encoder and decoder together already (pretrain.epochs)") }
            let e = r.section("end_to_end")
            var noise: NoiseSettings? = nil
            if case .denoising(let n) = model { noise = n }
            e2e = EndToEndConfig(
                epochs: e.int("epochs", default: 5, min: 0),
                batchSize: e.int("batch_size", default: batch, min: 1),
                optimizer: e.has("optimizer") ? readOptimizer(e, default: .adam, learningRate: 0.001) : { _ = e.value("optimizer"); return optimizer }(),
                // A denoising stack stays denoising end to end unless told otherwise.
                noise: e.has("noise") ? readNoise(e.section("noise")) : { _ = e.value("noise"); return noise }(),
                // An RBM's weight cost belongs to contrastive divergence; backprop through
                // the unrolled DBN has none unless asked (Hinton & Salakhutdinov 2006).
                weightDecay: e.float("weight_decay", default: kind == .rbm ? 0 : weightDecay, min: 0))
            e.finish()
        }
        r.finish()
        return PretrainConfig(
            layers: layers, model: model, activation: activation, outputActivation: outputActivation, loss: loss,
            tiedWeights: tied, weightDecay: weightDecay, optimizer: optimizer, epochs: epochs, batchSize: batch, endToEnd: e2e)
    }

    /// `pretrain.model` and the section of settings that belongs to it (`noise`,
    /// `sparsity`, `contractive`, `rbm`, `vae`); another model's section is an error.
    static func readModel(_ r: ConfigReader, _ kind: AutoencoderModel, activation: Activation,
                          outputActivation: Activation, tied: Bool) -> PretrainModel {
        let owners: [(key: String, model: AutoencoderModel)] =
            [("noise", .denoising), ("sparsity", .sparse), ("contractive", .contractive), ("rbm", .rbm), ("vae", .vae)]
        for (key, owner) in owners where owner != kind {
            if r.has(key) { r.report(key, "is used only with model: \(owner.rawValue) (model is \(kind.rawValue))") }
            _ = r.value(key)
        }
        let needsSigmoid: [AutoencoderModel: String] = [
            .rbm: "has binary (sigmoid) hidden units",
            .sparse: "needs activation: sigmoid (the KL penalty treats activations as firing rates in (0, 1))",
            .contractive: "needs activation: sigmoid"]
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
            return .sparse(SparsitySettings(target: s.float("target", default: 0.05, min: 0, max: 1, exclusiveMin: true),
                                            weight: s.float("weight", default: 3.0, min: 0)))
        case .contractive:
            let c = r.section("contractive")
            defer { c.finish() }
            return .contractive(weight: c.float("weight", default: 0.1, min: 0))
        case .rbm:
            if tied { r.report("tied_weights", "an RBM has one weight matrix; the DBN's decoder starts from its transpose") }
            if r.has("optimizer") {
                r.report("optimizer", "is not used by model: rbm (CD updates use rbm.learning_rate and rbm.momentum); end_to_end.optimizer sets the unrolled network's")
            }
            return .rbm(readRBM(r.section("rbm"), outputActivation: outputActivation))
        case .vae:
            if tied { r.report("tied_weights", "a VAE's decoder has its own weights") }
            let v = r.section("vae")
            defer { v.finish() }
            return .vae(VAESettings(beta: v.float("beta", default: 1, min: 0),
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
            r.report("visible", "gaussian visible units reconstruct linearly: set output_activation: identity and loss: mse (and data.scale: standardize)")
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
        let kind = NoiseSettings.Kind(rawValue: r.choice("type", NoiseSettings.Kind.allCases.map(\.rawValue), default: "masking")) ?? .masking
        let level = r.float("level", default: 0.2, min: 0, max: kind == .gaussian ? 100 : 1)
        r.finish()
        return NoiseSettings(kind: kind, level: level)
    }

    /// `optimizer: {name: adam, learning_rate: 0.001, …}` under `r`.
    static func readOptimizer(_ parent: ConfigReader, default name: OptimizerSettings.Name, learningRate: Double) -> OptimizerSettings {
        let r = parent.section("optimizer")
        let n = OptimizerSettings.Name(rawValue: r.choice("name", OptimizerSettings.Name.allCases.map(\.rawValue), default: name.rawValue)) ?? name
        let s = OptimizerSettings(
            name: n,
            learningRate: r.float("learning_rate", default: learningRate, min: 0, exclusiveMin: true),
            momentum: n == .sgd ? r.float("momentum", default: 0, min: 0, max: 1) : 0,
            nesterov: n == .sgd ? r.bool("nesterov", default: false) : false,
            beta1: n == .adam || n == .adamw ? r.float("beta1", default: 0.9, min: 0, max: 1) : 0.9,
            beta2: n == .adam || n == .adamw ? r.float("beta2", default: 0.999, min: 0, max: 1) : 0.999,
            epsilon: n == .sgd ? 1e-8 : r.float("epsilon", default: n == .rmsprop ? 1e-7 : 1e-8, min: 0, exclusiveMin: true),
            rho: n == .rmsprop ? r.float("rho", default: 0.9, min: 0, max: 1) : 0.9,
            weightDecay: n == .adamw ? r.float("weight_decay", default: 0.01, min: 0) : 0)
        r.finish()
        return s
    }

    // MARK: classifier, fine_tune

    static func readEarlyStopping(_ r: ConfigReader) -> EarlyStopping? {
        guard r.has("early_stopping") else { _ = r.value("early_stopping"); return nil }
        let e = r.section("early_stopping")
        let es = EarlyStopping(
            patience: e.int("patience", default: 10, min: 1),
            metric: EarlyStopping.Metric(rawValue: e.choice("metric", EarlyStopping.Metric.allCases.map(\.rawValue), default: "val_loss")) ?? .valLoss)
        e.finish()
        return es
    }

    static func readClassifier(_ r: ConfigReader) -> ClassifierConfig {
        let c = ClassifierConfig(
            hidden: r.intList("hidden", default: [64]),
            activation: r.choice("activation", activations, default: .relu),
            dropout: r.float("dropout", default: 0, min: 0, max: 0.95),
            optimizer: readOptimizer(r, default: .adam, learningRate: 0.001),
            epochs: r.int("epochs", default: 50, min: 0),
            batchSize: r.int("batch_size", default: 64, min: 1),
            earlyStopping: readEarlyStopping(r))
        r.finish()
        return c
    }

    static func readFineTune(_ r: ConfigReader) -> FineTuneConfig {
        var last: Int? = nil
        if let v = r.value("unfreeze") {
            if v.scalar?.string == "all" { last = nil }
            else if let n = v.int, n >= 1 { last = n }
            else { r.report("unfreeze", "expected all or a positive number of encoder layers, got \(describe(v))") }
        }
        let f = FineTuneConfig(
            unfreezeLast: last,
            optimizer: readOptimizer(r, default: .adam, learningRate: 0.0001),
            epochs: r.int("epochs", default: 30, min: 0),
            batchSize: r.int("batch_size", default: 64, min: 1),
            earlyStopping: readEarlyStopping(r))
        r.finish()
        return f
    }

    // MARK: anomaly, evaluate, output

    static func readAnomaly(_ r: ConfigReader) -> AnomalyConfig {
        var threshold = AnomalyThreshold.percentile(99)
        if r.has("threshold") {
            let t = r.section("threshold")
            if t.keys.count != 1 { r.report("threshold", "expected exactly one of percentile, contamination, value") }
            if t.has("percentile") { threshold = .percentile(t.float("percentile", default: 99, min: 0, max: 100)) }
            if t.has("contamination") { threshold = .contamination(t.float("contamination", default: 0.01, min: 0, max: 1)) }
            if t.has("value") { threshold = .value(t.float("value", default: 0, min: 0)) }
            t.finish()
        } else { _ = r.value("threshold") }
        var normal: [Int]? = nil
        if r.has("normal_classes") { normal = r.intList("normal_classes", default: [], min: 0) } else { _ = r.value("normal_classes") }
        if normal?.isEmpty == true { r.report("normal_classes", "needs at least one class") }
        r.finish()
        return AnomalyConfig(threshold: threshold, normalClasses: normal)
    }

    static func readEvaluate(_ r: ConfigReader) -> EvaluateConfig {
        let metrics = r.stringList("metrics", default: EvaluateConfig.allMetrics, options: EvaluateConfig.allMetrics)
        var expect: [Expectation] = []
        let scalarMetrics = EvaluateConfig.allMetrics.filter { $0 != "confusion_matrix" } + ["roc_auc", "average_precision"]
        if r.has("expect") {
            let e = r.section("expect")
            for key in e.keys {
                guard scalarMetrics.contains(key) else { continue }   // finish() reports it
                guard let text = e.string(key) ?? nil else { continue }
                if let x = parseExpectation(metric: key, text) { expect.append(x) }
                else { e.report(key, "expected a comparison like \">= 0.80\", got '\(text)'") }
            }
            for m in scalarMetrics where !e.keys.contains(m) { _ = e.value(m) }
            e.finish()
        } else { _ = r.value("expect") }
        r.finish()
        return EvaluateConfig(metrics: metrics, expect: expect)
    }

    static func parseExpectation(metric: String, _ text: String) -> Expectation? {
        let t = text.trimmingCharacters(in: .whitespaces)
        for op in [">=", "<=", "==", ">", "<"] where t.hasPrefix(op) {
            guard let c = Expectation.Comparison(rawValue: op),
                  let v = Double(t.dropFirst(op.count).trimmingCharacters(in: .whitespaces)), v.isFinite else { return nil }
            return Expectation(metric: metric, comparison: c, value: v)
        }
        return nil
    }

    static func readOutput(_ r: ConfigReader) -> OutputConfig {
        let results = r.string("results", default: "runs/{name}/results.h5") ?? "runs/{name}/results.h5"
        if !results.hasSuffix(".h5") && !results.hasSuffix(".hdf5") { r.report("results", "expected a path ending in .h5") }
        let save = r.stringList("save", default: OutputConfig.allSaves, options: OutputConfig.allSaves)
        r.finish()
        return OutputConfig(results: results, save: Set(save))
    }
}
