import Foundation
import LinearAlgebra

/// The first stage of every run and of `layerwise validate`: reads and checks every
/// dataset the pipeline names, scales the features, and draws the labeled subset and the
/// validation split (see `TrainingData`). The other stages read what it returns.
struct DataStage {
    let pipeline: Pipeline
    let streams: RandomStreams

    init(pipeline: Pipeline) {
        self.pipeline = pipeline
        streams = RandomStreams(seed: pipeline.config.seed)
    }

    /// Refuses a run that would need more memory than there is (`MemoryEstimate`), from
    /// the datasets' shapes alone, before anything is read or allocated.
    func checkMemory() throws {
        let cfg = pipeline.config.data
        let train = try FeatureReader(cfg.train, resolvedPath: pipeline.resolve(cfg.train.file))
        try train.checkFeatures()
        let testRows = try cfg.test.map { try FeatureReader($0, resolvedPath: pipeline.resolve($0.file)).rows } ?? 0
        try MemoryEstimate.of(pipeline.config, trainRows: train.rows, testRows: testRows, width: train.width).check(pipeline)
    }

    func run(_ progress: Progress) throws -> (TrainingData, StageTiming) {
        try checkMemory()
        let cfg = pipeline.config
        let (data, seconds) = try Stopwatch.measure {
            try TrainingData.load(pipeline, needLabels: cfg.trainsClassifier, streams: streams)
        }
        progress.note("data: \(data.train.rows) training rows × \(data.width) features, \(data.labeledIndices.count) labeled + \(data.validationIndices.count) validation, \(data.test?.rows ?? 0) test, \(data.nClasses) classes")
        return (data, StageTiming(stage: "data", seconds: seconds, samples: data.train.rows))
    }
}
