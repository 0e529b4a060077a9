import LayerwiseMath

/// Every random stream of a run, each derived from the pipeline's seed alone.
///
/// One stream per purpose, so drawing more numbers in one place (more epochs, a wider
/// layer) never shifts the numbers drawn anywhere else, and a resumed run draws what an
/// uninterrupted one would. A stage takes the streams it needs from here; nothing else
/// in Layerwise makes a `RandomGenerator` from the seed.
struct RandomStreams {
    let seed: UInt64
    /// This process's rank in an MPI job (0 for one process). The streams that draw for a
    /// rank's own rows (noise, Gibbs sampling) differ between ranks; every other stream is
    /// the same on every rank, so the ranks start from the same weights.
    var rank = 0

    private func stream(_ id: UInt64) -> RandomGenerator { RandomGenerator(seed: seed).derived(id) }
    private func perRank(_ id: UInt64) -> RandomGenerator { rank == 0 ? stream(id) : stream(id).derived(1000 + UInt64(rank)) }

    /// The labeled subset (`data.labeled`), then the validation split.
    var labeledSubset: RandomGenerator { stream(1) }
    /// Initial weights of every pretrained layer (autoencoders, RBMs, the VAE).
    var pretrainInit: RandomGenerator { stream(2) }
    /// Minibatch order of pretraining.
    var pretrainShuffle: RandomGenerator { stream(3) }
    /// Denoising corruption, the VAE's ε.
    var pretrainNoise: RandomGenerator { perRank(8) }
    /// Gibbs sampling of the RBMs.
    var rbmSampling: RandomGenerator { perRank(10) }
    /// Minibatch order of end-to-end training.
    var endToEndShuffle: RandomGenerator { stream(4) }
    /// Input corruption of end-to-end training.
    var endToEndNoise: RandomGenerator { perRank(9) }
    /// Initial weights of the classifier head.
    var classifierInit: RandomGenerator { stream(5) }
    /// Minibatch order of the head's training.
    var classifierShuffle: RandomGenerator { stream(6) }
    /// Dropout masks of the head's training.
    var classifierDropout: RandomGenerator { stream(6).derived(1) }
    /// Minibatch order of fine-tuning.
    var fineTuneShuffle: RandomGenerator { stream(7) }
    /// Dropout masks of fine-tuning, and `fine_tune.vat`'s random directions.
    var fineTuneDropout: RandomGenerator { stream(7).derived(1) }
    /// Order of the labeled rows that `fine_tune.vat` pairs with each batch.
    var fineTuneLabeledShuffle: RandomGenerator { stream(7).derived(2) }
    /// Initial weights of the ladder network.
    var ladderInit: RandomGenerator { stream(11) }
    /// Order of the ladder's unlabeled batches, and (derived) of its cycling labeled rows.
    var ladderShuffle: RandomGenerator { stream(12) }
    var ladderLabeledShuffle: RandomGenerator { stream(12).derived(1) }
    /// The ladder's corruption noise.
    var ladderNoise: RandomGenerator { perRank(13) }
    /// The labels-only baseline's cross-validation folds.
    var baselineFolds: RandomGenerator { stream(14) }
}
