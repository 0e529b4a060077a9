import Foundation
import LayerwiseMath
import LayerwiseNN
import Yams

/// Rows of features held in memory: `rows × columns` Float values, row after row.
public struct FeatureMatrix: Sendable {
    /// The number of rows (samples).
    public let rows: Int
    /// The number of features per row.
    public let columns: Int
    /// `rows * columns` values, row-major: row `i` is `values[i * columns ..< (i + 1) * columns]`.
    public let values: [Float]

    /// A matrix of `rows × columns` `values`, row-major.
    /// - Throws: `InputError` when `values.count` is not `rows * columns` or either is not positive.
    public init(rows: Int, columns: Int, values: [Float]) throws {
        guard rows > 0, columns > 0 else {
            throw InputError("FeatureMatrix: \(rows) × \(columns); expected at least one row and one column")
        }
        guard values.count == rows * columns else {
            throw InputError("FeatureMatrix: \(values.count) values for \(rows) × \(columns)")
        }
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A matrix from its rows, each of the same length.
    public init(_ rows: [[Float]]) throws {
        let width = rows.first?.count ?? 0
        if let bad = rows.firstIndex(where: { $0.count != width }) {
            throw InputError("FeatureMatrix: row \(bad) has \(rows[bad].count) values, row 0 has \(width)")
        }
        try self.init(rows: rows.count, columns: width, values: rows.flatMap { $0 })
    }

    var array: MemoryArray { MemoryArray(shape: [rows, columns], values: values) }
}

/// What a run trains and evaluates on when it comes from arrays rather than HDF5 files.
public struct InMemoryData: Sendable {
    /// The training rows, labeled and unlabeled: pretraining learns from all of them.
    public var train: FeatureMatrix
    /// One label per training row: a class `0..<C`, or `-1` for an unlabeled row.
    public var trainLabels: [Int32]
    /// Rows held out for the test metrics (optional).
    public var test: FeatureMatrix?
    /// One class per test row (required for test metrics when `test` is given).
    public var testLabels: [Int32]?

    /// Training rows with their labels, and optionally test rows with theirs.
    public init(train: FeatureMatrix, trainLabels: [Int32], test: FeatureMatrix? = nil, testLabels: [Int32]? = nil) {
        self.train = train
        self.trainLabels = trainLabels
        self.test = test
        self.testLabels = testLabels
    }

    /// The arrays by the dataset name a pipeline's `data:` keys point at.
    var arrays: [String: MemoryArray] {
        var a = ["/train": train.array, "/train_labels": MemoryArray(shape: [trainLabels.count], values: trainLabels.map(Float.init))]
        if let test { a["/test"] = test.array }
        if let testLabels { a["/test_labels"] = MemoryArray(shape: [testLabels.count], values: testLabels.map(Float.init)) }
        return a
    }
}

extension Pipeline {
    /// The `file` of a `DatasetRef` whose values are one of `InMemoryData`'s arrays.
    static let memoryFile = "<memory>"

    /// A pipeline that trains on arrays: `yaml` is a pipeline file's text whose `data:`
    /// section, if any, leaves out `train`, `train_labels`, `test` and `test_labels`
    /// (they are `data`'s arrays); every other key means what it means in a file
    /// (docs/pipeline.md). Relative output paths are taken from the current directory.
    ///
    /// ```swift
    /// let data = InMemoryData(train: try FeatureMatrix(rows: n, columns: d, values: x), trainLabels: y)
    /// let pipeline = try Pipeline(yaml: "data: {labeled: all}\npretrain: {layers: [32]}\nclassifier: {}\n", data: data)
    /// let run = try pipeline.train()
    /// print(run.metrics["accuracy"] ?? .nan)
    /// ```
    /// - Throws: `PipelineError` listing every problem of the text, `InputError` when it
    ///   names its own data files.
    public init(yaml: String, data: InMemoryData, name: String = "pipeline", overrides: [String] = []) throws {
        var refs = ["data.train=\(Self.memoryFile):/train", "data.train_labels=\(Self.memoryFile):/train_labels", "data.in_memory=true"]
        refs.append(data.test == nil ? "data.test=null" : "data.test=\(Self.memoryFile):/test")
        refs.append(data.testLabels == nil ? "data.test_labels=null" : "data.test_labels=\(Self.memoryFile):/test_labels")
        if let node = try? Pipeline.compose(yaml, file: name), let section = node["data"]?.mapping,
            let named = ["train", "train_labels", "test", "test_labels"].first(where: { section[$0] != nil })
        {
            throw InputError("\(name): data.\(named): leave it out when training on arrays; the arrays are the data")
        }
        self = try Pipeline.parse(
            yaml, file: name, baseDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            overrides: refs + overrides)
        arrays = data.arrays
    }

    /// Runs every stage the pipeline asks for and returns the trained run without writing
    /// its results file (`RunReport.save(to:)` writes it). Progress goes to standard error
    /// unless `options.quiet`.
    public func train(options: RunOptions = RunOptions(quiet: true)) throws -> RunReport {
        var o = options
        o.writesResults = false
        return try Runner.run(self, options: o)
    }

    /// The reader of `ref`: one of the arrays given to `init(yaml:data:)`, or a file's dataset.
    func reader(_ ref: DatasetRef) throws -> FeatureReader {
        guard ref.file == Self.memoryFile else {
            return try FeatureReader(ref, resolvedPath: resolve(ref.file), memoryBudget: memoryBudget)
        }
        guard let array = arrays[ref.dataset] else { throw InputError("\(ref.named): no such array in memory") }
        return FeatureReader(ref, memory: array)
    }
}

/// The class each row was predicted to be, with every class's probability.
public struct Predictions: Sendable {
    /// The most probable class of each row.
    public let classes: [Int]
    /// `rows × classes` probabilities, row-major; each row sums to 1.
    public let probabilities: [Float]
    /// The number of classes.
    public let classCount: Int
}

extension RunReport {
    /// The trained encoder and head applied to new `rows`, unscaled as the training rows
    /// were: they are scaled as the run scaled its data.
    /// - Throws: `InputError` when the run trained no classifier or the width differs.
    public func predict(_ rows: FeatureMatrix) throws -> Predictions {
        let layers = outcome.model.classifier
        guard !outcome.model.head.isEmpty else { throw InputError("predict: the run has no classifier (a classifier: or ladder: stage)") }
        guard rows.columns == data.width else {
            throw InputError("predict: \(rows.columns) features per row, but the model takes \(data.width)")
        }
        if let bad = rows.values.firstIndex(where: { !$0.isFinite }) {
            throw InputError(
                "predict: row \(bad / rows.columns), column \(bad % rows.columns) is \(rows.values[bad]); features must be finite numbers")
        }
        var x = rows.values
        data.scaler.apply(&x, width: data.width)
        let p = InferenceNetwork(layers).predict(Matrix(rows: rows.rows, cols: rows.columns, storage: x))
        return Predictions(classes: argmaxRows(p.storage, classes: p.cols).map(Int.init), probabilities: p.storage, classCount: p.cols)
    }

    /// Writes the results file (docs/results-format.md) to `path`, replacing what is there
    /// atomically. Returns `path`.
    @discardableResult
    public func save(to path: String) throws -> String {
        try ResultsWriter.checkWritable(path)
        _ = try ResultsWriter(pipeline: pipeline, data: data, destination: path).write(outcome, created: created)
        return path
    }
}
