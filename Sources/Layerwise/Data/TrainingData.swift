import LinearAlgebra

/// Everything a run trains and evaluates on, read and scaled once.
///
/// Pretraining sees every training row (labels are not needed to learn features);
/// the classifier sees `labeledIndices`; early stopping watches `validationIndices`.
struct TrainingData {
    /// `[nTrain, width]`, scaled.
    var train: Matrix
    /// Original labels of the training rows (`-1` = unlabeled); nil without train_labels.
    var trainLabels: [Int32]?
    /// `[nTest, width]`, scaled; nil without data.test.
    var test: Matrix?
    var testLabels: [Int32]?
    var scaler: Scaler
    var nClasses: Int
    /// Training rows the classifier learns from (validation rows excluded), ascending.
    var labeledIndices: [Int]
    /// Labeled rows held out for early stopping, ascending.
    var validationIndices: [Int]
    /// With `anomaly.normal_classes`: the training rows of those classes (the
    /// autoencoder's training set), ascending.
    var normalRows: [Int]?
    /// The rows the autoencoder learns from: every training row, or the normal ones.
    var autoencoderTrain: Matrix
    var width: Int { train.cols }

    /// Reads and checks every dataset the pipeline names, fits the scaler on the
    /// training features, and draws the labeled subset and validation split from `streams`.
    static func load(_ pipeline: Pipeline, needLabels: Bool, streams: RandomStreams) throws -> TrainingData {
        let cfg = pipeline.config.data
        let trainReader = try FeatureReader(cfg.train, resolvedPath: pipeline.resolve(cfg.train.file))
        var x = try trainReader.readFeatures()
        let width = trainReader.width
        let scaler = Scaler.fit(cfg.scale, x: x, width: width, isUInt8: trainReader.isUInt8)
        scaler.apply(&x, width: width)
        let train = Matrix(rows: trainReader.rows, cols: width, storage: x)

        var labels: [Int32]? = nil
        if let ref = cfg.trainLabels {
            labels = try FeatureReader(ref, resolvedPath: pipeline.resolve(ref.file))
                .readLabels(expectedRows: trainReader.rows)
        }

        var test: Matrix? = nil
        var testLabels: [Int32]? = nil
        if let ref = cfg.test {
            let r = try FeatureReader(ref, resolvedPath: pipeline.resolve(ref.file))
            try r.checkFeatures()
            guard r.width == width else {
                throw InputError("\(ref.named): \(r.width) features per row, but \(cfg.train) has \(width)")
            }
            var t = try r.readFeatures()
            scaler.apply(&t, width: width)
            test = Matrix(rows: r.rows, cols: width, storage: t)
            if let lref = cfg.testLabels {
                testLabels = try FeatureReader(lref, resolvedPath: pipeline.resolve(lref.file))
                    .readLabels(expectedRows: r.rows)
                if let bad = testLabels?.firstIndex(where: { $0 < 0 }) {
                    throw InputError("\(lref.named): test label at index \(bad) is -1; every test row needs a class")
                }
            }
        }

        let nClasses = Int(max(labels?.max() ?? -1, testLabels?.max() ?? -1)) + 1
        var labeled: [Int] = []
        var validation: [Int] = []
        if let labels, needLabels {
            guard nClasses >= 2 else {
                throw InputError("\(cfg.trainLabels.map(\.description) ?? "labels"): found \(nClasses) class(es); a classifier needs at least 2")
            }
            var rng = streams.labeledSubset
            let chosen = try selectLabeled(labels, nClasses: nClasses, cfg.labeled, ref: cfg.trainLabels, rng: &rng)
            (labeled, validation) = splitValidation(chosen, labels: labels, nClasses: nClasses,
                                                    fraction: cfg.validationFraction, rng: &rng)
            if labeled.isEmpty {
                throw InputError("data.labeled: no labeled training rows remain after the validation split")
            }
        }
        var normalRows: [Int]? = nil
        if let normal = pipeline.config.anomaly?.normalClasses, let labels {
            normalRows = labels.indices.filter { normal.contains(Int(labels[$0])) }
            if normalRows?.isEmpty ?? true {
                throw InputError("anomaly.normal_classes: no training rows of classes \(normal) in \(cfg.trainLabels?.description ?? "train_labels")")
            }
        }
        return TrainingData(
            train: train, trainLabels: labels, test: test, testLabels: testLabels, scaler: scaler,
            nClasses: nClasses, labeledIndices: labeled, validationIndices: validation, normalRows: normalRows,
            autoencoderTrain: normalRows.map { gather(train, $0) } ?? train)
    }

    /// The rows that keep their labels, by `data.labeled`; fewer labeled rows than asked is an error.
    static func selectLabeled(_ labels: [Int32], nClasses: Int, _ rule: LabeledSelection, ref: DatasetRef?,
                              rng: inout RandomGenerator) throws -> [Int] {
        let marked = labels.indices.filter { labels[$0] >= 0 }
        let source = ref.map(\.description) ?? "train_labels"
        switch rule {
        case .all:
            return marked
        case .count(let n):
            guard n <= marked.count else {
                throw InputError("data.labeled.count: asked for \(n) labeled rows, \(source) has \(marked.count)")
            }
            return Array(shuffled(marked, &rng).prefix(n)).sorted()
        case .fraction(let f):
            let n = max(1, Int((Double(marked.count) * f).rounded()))
            return Array(shuffled(marked, &rng).prefix(n)).sorted()
        case .perClass(let n):
            var chosen: [Int] = []
            for c in 0..<nClasses {
                let rows = marked.filter { labels[$0] == Int32(c) }
                guard rows.count >= n else {
                    throw InputError("data.labeled.per_class: class \(c) has \(rows.count) labeled rows in \(source), fewer than the \(n) asked")
                }
                chosen += shuffled(rows, &rng).prefix(n)
            }
            return chosen.sorted()
        }
    }

    /// Holds out `fraction` of each class (stratified, at least one row of a class
    /// that has two or more) for validation.
    static func splitValidation(_ rows: [Int], labels: [Int32], nClasses: Int, fraction: Double,
                                rng: inout RandomGenerator) -> (train: [Int], validation: [Int]) {
        guard fraction > 0 else { return (rows, []) }
        var train: [Int] = [], val: [Int] = []
        for c in 0..<nClasses {
            let mine = shuffled(rows.filter { labels[$0] == Int32(c) }, &rng)
            let k = mine.count >= 2 ? max(1, Int((Double(mine.count) * fraction).rounded())) : 0
            val += mine.prefix(k)
            train += mine.dropFirst(k)
        }
        return (train.sorted(), val.sorted())
    }

    private static func shuffled(_ a: [Int], _ rng: inout RandomGenerator) -> [Int] {
        var a = a
        rng.shuffle(&a)
        return a
    }
}
