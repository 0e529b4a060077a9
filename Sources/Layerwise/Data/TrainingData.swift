import LayerwiseMath

/// Everything a run trains and evaluates on, read and scaled once.
///
/// Pretraining sees every training row (labels are not needed to learn features) through
/// `unlabeled`; the classifier sees `labeledIndices` of `train`; early stopping watches
/// `validationIndices`.
///
/// One process holding the rows in memory keeps every training row in `train`. Streaming
/// them from the file (`data.in_memory`), or taking a share as one rank of an MPI job,
/// keeps only the labeled and validation rows there (`fileRows` maps them back to the
/// file) and hands the autoencoder side its rows through `unlabeled`.
struct TrainingData {
    /// `[rows, width]`, scaled: every training row, or only the labeled and validation ones.
    var train: Matrix
    /// Labels of `train`'s rows (`-1` = unlabeled); nil without train_labels.
    var trainLabels: [Int32]?
    /// `[nTest, width]`, scaled; nil without data.test.
    var test: Matrix?
    var testLabels: [Int32]?
    var scaler: Scaler
    var nClasses: Int
    /// Class i's name, from the labels dataset's `class_names` (nil: the classes are numbers).
    var classNames: [String]? = nil
    /// Class i's name as the summary, report and `predict` show it.
    func className(_ c: Int) -> String { classNames.flatMap { c < $0.count ? $0[c] : nil } ?? String(c) }
    /// Rows of `train` the classifier learns from (validation rows excluded), ascending.
    var labeledIndices: [Int]
    /// Rows of `train` held out for early stopping, ascending.
    var validationIndices: [Int]
    /// The file row of each row of `train` when it holds a subset (nil: row i is file row i).
    var fileRows: [Int]? = nil
    /// Training rows in the file.
    var trainRows: Int
    /// The rows the autoencoder learns from: every training row, or the normal ones.
    var unlabeled: UnlabeledRows
    var width: Int { train.cols }

    /// File rows of `rows` of `train` (for the results file).
    func inFile(_ rows: [Int]) -> [Int] { fileRows.map { f in rows.map { f[$0] } } ?? rows }

    /// Reads and checks every dataset the pipeline names, fits the scaler on the
    /// training features, and draws the labeled subset and validation split from `streams`.
    static func load(
        _ pipeline: Pipeline, needLabels: Bool, streams: RandomStreams,
        cluster: Cluster = .single
    ) throws -> TrainingData {
        let cfg = pipeline.config.data
        let trainReader = try pipeline.reader(cfg.train)
        try trainReader.checkFeatures()
        let width = trainReader.width
        let nRows = trainReader.rows
        let normal = pipeline.config.anomaly?.normalClasses
        let streamed = cfg.streams(rows: nRows, width: width)
        let whole = !streamed && cluster.size == 1

        var labels: [Int32]? = nil
        var names: [String]? = nil
        if let ref = cfg.trainLabels {
            let reader = try pipeline.reader(ref)
            labels = try reader.readLabels(expectedRows: nRows)
            names = try reader.classNames()
            if let names, let bad = labels?.firstIndex(where: { Int($0) >= names.count }) {
                throw InputError(
                    "\(ref.named): label \(labels?[bad] ?? 0) at row \(bad) has no name: \(ref.dataset)@class_names holds \(names.count)")
            }
        }
        // Every row in memory: read once, fit and scale. Otherwise fit over this rank's share, block by block.
        var everything: Matrix? = nil
        let scaler: Scaler
        if whole {
            var x = try trainReader.readFeatures()
            scaler = Scaler.fit(cfg.scale, x: x, width: width, isUInt8: trainReader.isUInt8)
            scaler.apply(&x, width: width)
            everything = Matrix(rows: nRows, cols: width, storage: x)
        } else {
            var a = Scaler.Accumulator(cfg.scale, width: width, isUInt8: trainReader.isUInt8)
            if a.needsValues {
                for chunk in stride(
                    from: cluster.share(nRows).lowerBound, to: cluster.share(nRows).upperBound,
                    by: FeatureReader.chunkRows)
                {
                    let x = try trainReader.readFeatures(chunk..<min(chunk + FeatureReader.chunkRows, cluster.share(nRows).upperBound))
                    x.withUnsafeBufferPointer { a.add($0) }
                }
            }
            scaler = cluster.merged(a).scaler
        }

        var test: Matrix? = nil
        var testLabels: [Int32]? = nil
        if let ref = cfg.test {
            let r = try pipeline.reader(ref)
            try r.checkFeatures()
            guard r.width == width else {
                throw InputError("\(ref.named): \(r.width) features per row, but \(cfg.train) has \(width)")
            }
            var t = try r.readFeatures()
            scaler.apply(&t, width: width)
            test = Matrix(rows: r.rows, cols: width, storage: t)
            if let lref = cfg.testLabels {
                let reader = try pipeline.reader(lref)
                testLabels = try reader.readLabels(expectedRows: r.rows)
                if let names, let bad = testLabels?.firstIndex(where: { Int($0) >= names.count }) {
                    throw InputError(
                        "\(lref.named): label \(testLabels?[bad] ?? 0) at row \(bad) has no name: "
                            + "\(cfg.trainLabels?.description ?? "the training labels")@class_names holds \(names.count)")
                }
                if let testNames = try reader.classNames(), let names, testNames != names {
                    throw InputError(
                        "\(lref.named)@class_names (\(testNames.joined(separator: ", "))) differ from "
                            + "\(cfg.trainLabels?.description ?? "the training labels")@class_names (\(names.joined(separator: ", "))): "
                            + "the same class number would mean different classes")
                }
                if let bad = testLabels?.firstIndex(where: { $0 < 0 }) {
                    throw InputError("\(lref.named): test label at index \(bad) is -1; every test row needs a class")
                }
            }
        }

        let nClasses = max(Int(max(labels?.max() ?? -1, testLabels?.max() ?? -1)) + 1, names?.count ?? 0)
        var labeled: [Int] = []
        var validation: [Int] = []
        if let labels, needLabels {
            try checkClasses(labels, nClasses: nClasses, names: names, ref: cfg.trainLabels)
            var rng = streams.labeledSubset
            let chosen = try selectLabeled(labels, nClasses: nClasses, cfg.labeled, ref: cfg.trainLabels, rng: &rng)
            (labeled, validation) = splitValidation(
                chosen, labels: labels, nClasses: nClasses,
                fraction: cfg.validationFraction, rng: &rng)
            if labeled.isEmpty {
                throw InputError(
                    "data.validation: no labeled training rows remain after the validation split of the "
                        + "\(chosen.count) labeled rows of \(cfg.trainLabels?.named ?? "train_labels"); lower data.validation.fraction")
            }
        }
        var normalRows: [Int]? = nil
        if let normal, let labels {
            normalRows = labels.indices.filter { normal.contains(Int(labels[$0])) }
            if normalRows?.isEmpty ?? true {
                throw InputError(
                    "anomaly.normal_classes: no training rows of classes \(normal) in \(cfg.trainLabels?.description ?? "train_labels")")
            }
        }

        if let everything {
            return TrainingData(
                train: everything, trainLabels: labels, test: test, testLabels: testLabels, scaler: scaler,
                nClasses: nClasses, classNames: names, labeledIndices: labeled, validationIndices: validation, trainRows: nRows,
                unlabeled: UnlabeledRows(
                    memory: normalRows.map { gather(everything, $0) } ?? everything,
                    totalRows: normalRows?.count ?? nRows, cluster: cluster))
        }
        // The labeled and validation rows, read one by one from the file.
        let kept = Array(Set(labeled).union(validation)).sorted()
        var compact = [Float](repeating: 0, count: kept.count * width)
        var position: [Int: Int] = [:]
        var k = 0
        while k < kept.count {
            var end = k + 1  // a run of consecutive file rows is one read
            while end < kept.count && kept[end] == kept[end - 1] + 1 && end - k < FeatureReader.chunkRows { end += 1 }
            let x = try trainReader.readFeatures(kept[k]..<(kept[end - 1] + 1))
            compact.replaceSubrange((k * width)..<(end * width), with: x)
            for i in k..<end { position[kept[i]] = i }
            k = end
        }
        scaler.apply(&compact, width: width)
        let train = Matrix(rows: kept.count, cols: width, storage: compact)
        let share = cluster.share(nRows)
        let keep: ((Int) -> Bool)? = normal.flatMap { n in labels.map { l in { n.contains(Int(l[$0])) } } }
        let mine = keep.map { k in share.reduce(0) { $0 + (k($1) ? 1 : 0) } } ?? share.count
        let file = UnlabeledRows.Stream(
            ref: cfg.train, path: pipeline.resolve(cfg.train.file), segments: [share],
            scaler: scaler, keep: keep, rows: mine, fileRows: nRows)
        let total = normalRows?.count ?? nRows
        let unlabeled: UnlabeledRows
        if streamed {
            unlabeled = UnlabeledRows(stream: file, totalRows: total, cluster: cluster)
        } else {
            var m = Matrix(rows: share.count, cols: width, storage: try trainReader.readFeatures(share))
            scaler.apply(&m.storage, width: width)
            if let keep { m = gather(m, share.indices.filter { keep(share.lowerBound + $0) }) }
            unlabeled = UnlabeledRows(memory: m, file: file, totalRows: total, cluster: cluster)
        }
        return TrainingData(
            train: train, trainLabels: labels.map { l in kept.map { l[$0] } }, test: test, testLabels: testLabels,
            scaler: scaler, nClasses: nClasses, classNames: names, labeledIndices: labeled.compactMap { position[$0] },
            validationIndices: validation.compactMap { position[$0] }, fileRows: kept, trainRows: nRows,
            unlabeled: unlabeled.padded(cluster))
    }

    /// Labels a classifier can learn from: some labeled rows, of at least two classes, and
    /// every class number below the largest with rows (labels 1…3 leave class 0 empty: the
    /// classes were meant to count from 1).
    static func checkClasses(_ labels: [Int32], nClasses: Int, names: [String]?, ref: DatasetRef?) throws {
        let source = ref?.named ?? "train_labels"
        var counts = [Int](repeating: 0, count: nClasses)
        for l in labels where l >= 0 { counts[Int(l)] += 1 }
        let present = counts.indices.filter { counts[$0] > 0 }
        func name(_ c: Int) -> String { names.flatMap { c < $0.count ? "'\($0[c])'" : nil } ?? String(c) }
        guard !present.isEmpty else {
            throw InputError(
                "\(source): every training label is -1 (unlabeled); a classifier needs labeled rows "
                    + "(data.labeled draws its rows from the labeled ones)")
        }
        guard present.count >= 2 else {
            throw InputError(
                "\(source): every labeled row is of class \(name(present[0])) (\(counts[present[0]]) rows); "
                    + "a classifier needs labeled rows of at least two classes")
        }
        let empty = counts.indices.filter { counts[$0] == 0 }
        guard empty.isEmpty else {
            let which = empty.prefix(5).map(name).joined(separator: ", ") + (empty.count > 5 ? ", …" : "")
            let hint =
                names == nil
                ? "; if the classes are \(present.prefix(10).map(String.init).joined(separator: ", ")), number them from 0 "
                    + "(layerwise import csv … --classes \(present.map(String.init).joined(separator: ",")))"
                : ""
            throw InputError(
                "\(source): class\(empty.count > 1 ? "es" : "") \(which) \(empty.count > 1 ? "have" : "has") no labeled rows "
                    + "of the \(nClasses) classes\(hint)")
        }
    }

    /// The rows that keep their labels, by `data.labeled`; fewer labeled rows than asked is an error.
    static func selectLabeled(
        _ labels: [Int32], nClasses: Int, _ rule: LabeledSelection, ref: DatasetRef?,
        rng: inout RandomGenerator
    ) throws -> [Int] {
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
                    throw InputError(
                        "data.labeled.per_class: class \(c) has \(rows.count) labeled rows in \(source), fewer than the \(n) asked")
                }
                chosen += shuffled(rows, &rng).prefix(n)
            }
            return chosen.sorted()
        }
    }

    /// Holds out `fraction` of each class (stratified, at least one row of a class
    /// that has two or more) for validation.
    static func splitValidation(
        _ rows: [Int], labels: [Int32], nClasses: Int, fraction: Double,
        rng: inout RandomGenerator
    ) -> (train: [Int], validation: [Int]) {
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
