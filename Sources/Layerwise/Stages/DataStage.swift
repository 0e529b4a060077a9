import Foundation
import LayerwiseMath

/// The first stage of every run and of `layerwise validate`: reads and checks every
/// dataset the pipeline names, scales the features, and draws the labeled subset and the
/// validation split (see `TrainingData`). The other stages read what it returns.
struct DataStage {
    let pipeline: Pipeline
    let streams: RandomStreams
    let cluster: Cluster

    init(pipeline: Pipeline, cluster: Cluster = .single) {
        self.pipeline = pipeline
        self.cluster = cluster
        streams = RandomStreams(seed: pipeline.config.seed, rank: cluster.rank)
    }

    /// Refuses a run that would need more memory than there is (`MemoryEstimate`), from
    /// the datasets' shapes alone, before anything is read or allocated.
    func checkMemory() throws {
        let cfg = pipeline.config.data
        let train = try pipeline.reader(cfg.train)
        try train.checkFeatures()
        let testRows = try cfg.test.map { try pipeline.reader($0).rows } ?? 0
        try MemoryEstimate.of(
            pipeline.config, trainRows: train.rows, testRows: testRows, width: train.width,
            ranks: cluster.size
        ).check(pipeline)
    }

    func run(_ progress: Progress) throws -> (TrainingData, StageTiming) {
        try checkMemory()
        let cfg = pipeline.config
        let (data, seconds) = try Stopwatch.measure {
            try TrainingData.load(pipeline, needLabels: cfg.trainsClassifier, streams: streams, cluster: cluster)
        }
        if data.unlabeled.isStreamed || data.unlabeled.ranks > 1 {
            let how = data.unlabeled.isStreamed ? "streamed from the file in shuffled windows (data.in_memory)" : "held in memory"
            progress.note(
                "data: \(data.unlabeled.totalRows) rows for the autoencoder side, \(how)"
                    + (data.unlabeled.ranks > 1 ? "; \(data.unlabeled.ranks) MPI ranks, \(data.unlabeled.localRows) rows on rank 0" : ""))
        }
        progress.note(
            "data: \(data.trainRows) training rows × \(data.width) features, \(data.labeledIndices.count) labeled + \(data.validationIndices.count) validation, \(data.test?.rows ?? 0) test, \(data.nClasses) classes"
        )
        return (data, StageTiming(stage: "data", seconds: seconds, samples: data.trainRows))
    }
}
