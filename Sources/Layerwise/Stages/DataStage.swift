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

    func run(_ progress: Progress) throws -> (TrainingData, StageTiming) {
        let cfg = pipeline.config
        let (data, seconds) = try Stopwatch.measure {
            try TrainingData.load(pipeline, needLabels: cfg.trainsClassifier, streams: streams)
        }
        progress.note("data: \(data.train.rows) training rows × \(data.width) features, \(data.labeledIndices.count) labeled + \(data.validationIndices.count) validation, \(data.test?.rows ?? 0) test, \(data.nClasses) classes")
        return (data, StageTiming(stage: "data", seconds: seconds, samples: data.train.rows))
    }
}
