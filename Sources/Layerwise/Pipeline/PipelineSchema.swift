import Foundation
import LayerwiseNN
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
        var data = readData(r.section("data"))
        let pretrain = r.has("pretrain") ? readPretrain(r.section("pretrain"), scale: data.scale) : nil
        // `pretrain:` with nothing after it (or `--set pretrain=null`) would be a stage of defaults, as for the
        // other stages, but layer widths have none (an encoder of no layers crashed the run).
        if r.has("pretrain") && r.value("pretrain") == nil {
            r.report("pretrain", "is empty: give at least layers: [...], or leave pretrain: out to train on the labels alone")
        }
        let classifier = r.has("classifier") ? readClassifier(r.section("classifier")) : nil
        let fineTune = r.has("fine_tune") ? readFineTune(r.section("fine_tune")) : nil
        let anomaly = r.has("anomaly") ? readAnomaly(r.section("anomaly")) : nil
        var ladder = r.has("ladder") ? readLadder(r.section("ladder")) : nil
        // No stage at all: the recommended method, every setting sized from the data.
        if ladder == nil && ["pretrain", "classifier", "fine_tune", "anomaly"].allSatisfy({ !r.has($0) }) && data.trainLabels != nil {
            ladder = readLadder(r.section("ladder"))
            ladder?.implicit = true
        }
        let evaluate = readEvaluate(r.section("evaluate"))
        let output = readOutput(r.section("output"))
        if r.value("matrix") != nil {
            r.report("matrix", "a sweep runs through `layerwise run`; this entry point takes one pipeline")
        }
        // Every stage name is a known key, so a misspelt stage gets a "did you mean"; a stage
        // that is only misspelt is not also reported as missing by the checks below.
        let stages = ["pretrain", "classifier", "fine_tune", "anomaly", "ladder"]
        for s in stages where !r.has(s) { _ = r.value(s) }
        let misspelt = Set(r.unknownKeys.compactMap { closest($0, stages) })
        r.finish()
        if data.validationFraction < 0 {
            // Validation rows are read only by early stopping: without it, every chosen label trains.
            let stops = classifier?.earlyStopping != nil || fineTune?.earlyStopping != nil
            data.validationFraction = stops ? 0.1 : 0
        }
        let config = PipelineConfig(
            name: name, seed: UInt64(seed), data: data, pretrain: pretrain, classifier: classifier,
            fineTune: fineTune, anomaly: anomaly, evaluate: evaluate, output: output, ladder: ladder)
        if misspelt.isEmpty { checkAcrossSections(r, config) }
        return config
    }

    /// What one section needs from another, each reported at the key it concerns.
    static func checkAcrossSections(_ r: ConfigReader, _ c: PipelineConfig) {
        checkLadder(r, c)
        let (data, pretrain, classifier, fineTune, anomaly, evaluate) = (
            c.data, c.pretrain, c.classifier, c.fineTune, c.anomaly, c.evaluate
        )
        if fineTune != nil && classifier == nil && c.ladder == nil {
            r.report("fine_tune", "needs a classifier: stage (the head to train with the encoder)")
        }
        if fineTune != nil && pretrain == nil && c.ladder == nil {
            r.report("fine_tune", "needs a pretrain: stage (without one the classifier already trains every layer)")
        }
        if classifier != nil && data.trainLabels == nil {
            r.report("data", "classifier: needs data.train_labels")
        }
        if let p = classifier?.pseudoLabels {
            if p.graph == .codes && pretrain == nil {
                r.report(
                    path: ["classifier", "pseudo_labels", "graph"],
                    "codes needs a pretrain: stage (without one there are no codes; use inputs)")
            }
            if data.inMemory == .never {
                r.report(path: ["classifier", "pseudo_labels"], "needs every training row in memory, but data.in_memory is false")
            }
        }
        if pretrain == nil && !c.trainsClassifier && anomaly == nil {
            r.report("", "nothing to do: without data.train_labels there is nothing to classify; give pretrain: or anomaly:")
        }
        if anomaly?.normalClasses != nil && data.trainLabels == nil {
            r.report("anomaly.normal_classes", "needs data.train_labels to know which rows are normal")
        }
        if anomaly != nil && pretrain == nil {
            r.report("anomaly", "needs a pretrain: stage (scores are the autoencoder's reconstruction errors)")
        }
        checkEarlyStopping(r, c)
        if fineTune?.vat != nil && data.inMemory == .never {
            r.report(path: ["fine_tune", "vat"], "needs every training row in memory, but data.in_memory is false")
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
        for e in evaluate.expect where ["accuracy", "macro_f1", "log_loss"].contains(e.metric) && !c.trainsClassifier {
            r.report(path: ["evaluate", "expect", e.metric], "is measured only with a classifier: stage")
        }
        for e in evaluate.expect where EvaluateConfig.baselineMetrics.contains(e.metric) && evaluate.baselines.isEmpty {
            r.report(path: ["evaluate", "expect", e.metric], "is measured only with a baseline (evaluate.baseline: none turns them off)")
        }
        if evaluate.baselinesGiven && !evaluate.baselines.isEmpty && (!c.trainsClassifier || data.test == nil || data.testLabels == nil) {
            r.report(
                path: ["evaluate", "baseline"],
                "needs a classifier: or ladder: stage and data.test with data.test_labels (each baseline is fitted on the labeled rows and evaluated on the test set)"
            )
        }
    }

    /// `optimizer: {name: adam, learning_rate: 0.001, …}` under `r`.
    static func readOptimizer(_ parent: ConfigReader, default name: OptimizerSettings.Name, learningRate: Double) -> OptimizerSettings {
        let r = parent.section("optimizer")
        let n =
            OptimizerSettings.Name(rawValue: r.choice("name", OptimizerSettings.Name.allCases.map(\.rawValue), default: name.rawValue))
            ?? name
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

    static func readClassifier(_ r: ConfigReader) -> ClassifierConfig {
        let c = ClassifierConfig(
            hidden: r.intList("hidden", default: [64]),
            activation: r.choice("activation", activations, default: .relu),
            dropout: r.float("dropout", default: 0, min: 0, max: 0.95),
            optimizer: readOptimizer(r, default: .adam, learningRate: 0.001),
            epochs: r.int("epochs", default: 50, min: 0),
            epochsFromData: r.value("epochs") == nil,
            batchSize: r.int("batch_size", default: 64, min: 1),
            earlyStopping: readEarlyStopping(r),
            weightDecay: r.float("weight_decay", default: 0, min: 0),
            weightDecayFromData: r.value("weight_decay") == nil,
            pseudoLabels: readPseudoLabels(r))
        r.finish()
        return c
    }

    static func readPseudoLabels(_ r: ConfigReader) -> PseudoLabelConfig? {
        guard r.has("pseudo_labels") else { _ = r.value("pseudo_labels"); return nil }
        let p = r.section("pseudo_labels")
        let c = PseudoLabelConfig(
            graph: p.choice("graph", PseudoLabelConfig.Graph.allCases, default: .inputs),
            neighbors: p.int("neighbors", default: 7, min: 1),
            alpha: p.float("alpha", default: 0.2, min: 0, max: 1, exclusiveMin: true),
            iterations: p.int("iterations", default: 30, min: 1))
        p.finish()
        return c
    }

    static func readFineTune(_ r: ConfigReader) -> FineTuneConfig {
        var last: Int? = nil
        if let v = r.value("unfreeze") {
            if v.scalar?.string == "all" {
                last = nil
            } else if let n = v.int, n >= 1 {
                last = n
            } else {
                r.report("unfreeze", "expected all or a positive number of encoder layers, got \(describe(v))")
            }
        }
        let f = FineTuneConfig(
            unfreezeLast: last,
            optimizer: readOptimizer(r, default: .adam, learningRate: 0.0001),
            epochs: r.int("epochs", default: 30, min: 0),
            epochsFromData: r.value("epochs") == nil,
            batchSize: r.int("batch_size", default: 64, min: 1),
            earlyStopping: readEarlyStopping(r),
            weightDecay: r.float("weight_decay", default: 0, min: 0),
            weightDecayFromData: r.value("weight_decay") == nil,
            vat: readVAT(r))
        r.finish()
        return f
    }

    static func readVAT(_ r: ConfigReader) -> VATConfig? {
        guard r.has("vat") else { _ = r.value("vat"); return nil }
        let v = r.section("vat")
        let c = VATConfig(
            epsilon: v.value("epsilon") == nil ? nil : v.float("epsilon", default: 1, min: 0, exclusiveMin: true),
            xi: v.float("xi", default: 0.1, min: 0, max: 1, exclusiveMin: true),
            weight: v.float("weight", default: 1, min: 0),
            iterations: v.int("iterations", default: 1, min: 1))
        v.finish()
        return c
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
        } else {
            _ = r.value("threshold")
        }
        var normal: [Int]? = nil
        if r.has("normal_classes") { normal = r.intList("normal_classes", default: [], min: 0) } else { _ = r.value("normal_classes") }
        if normal?.isEmpty == true { r.report("normal_classes", "needs at least one class") }
        r.finish()
        return AnomalyConfig(threshold: threshold, normalClasses: normal)
    }

    static func readEvaluate(_ r: ConfigReader) -> EvaluateConfig {
        let metrics = r.stringList("metrics", default: EvaluateConfig.allMetrics, options: EvaluateConfig.allMetrics)
        var expect: [Expectation] = []
        let scalarMetrics =
            EvaluateConfig.allMetrics.filter { $0 != "confusion_matrix" } + ["roc_auc", "average_precision"]
            + EvaluateConfig.baselineMetrics
        if r.has("expect") {
            let e = r.section("expect")
            for key in e.keys {
                guard scalarMetrics.contains(key) else { continue }  // finish() reports it
                guard let text = e.string(key) ?? nil else { continue }
                if let x = parseExpectation(metric: key, text) {
                    expect.append(x)
                } else {
                    e.report(key, "expected a comparison like \">= 0.80\", got '\(text)'")
                }
            }
            for m in scalarMetrics where !e.keys.contains(m) { _ = e.value(m) }
            e.finish()
        } else {
            _ = r.value("expect")
        }
        let given = r.value("baseline") != nil
        let baselines = readBaselines(r)
        r.finish()
        return EvaluateConfig(metrics: metrics, expect: expect, baselines: baselines, baselinesGiven: given)
    }

    /// `evaluate.baseline`: a name, a list of names, or `none`.
    static func readBaselines(_ r: ConfigReader) -> [Baseline] {
        let names = Baseline.allCases.map(\.rawValue)
        guard let v = r.value("baseline") else { return Baseline.allCases }
        let chosen: [String]
        if v.sequence != nil {
            chosen = r.stringList("baseline", default: names, options: names)
        } else {
            let one = r.choice("baseline", names + ["none"], default: "none")
            chosen = one == "none" ? [] : [one]
        }
        return Baseline.allCases.filter { chosen.contains($0.rawValue) }
    }

    static func parseExpectation(metric: String, _ text: String) -> Expectation? {
        let t = text.trimmingCharacters(in: .whitespaces)
        for op in [">=", "<=", "==", ">", "<"] where t.hasPrefix(op) {
            guard let c = Expectation.Comparison(rawValue: op),
                let v = Double(t.dropFirst(op.count).trimmingCharacters(in: .whitespaces)), v.isFinite
            else { return nil }
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
