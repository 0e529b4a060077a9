/// Averages gradients over the processes of a data-parallel job (an MPI allreduce).
///
/// A stage that shares its rows out over processes gives its model one (the `reducer`
/// property of `Network`, `ShallowAutoencoder`, `RBM`, `VariationalAutoencoder` and
/// `LadderNetwork`): every optimizer step then first averages the gradients through it, one
/// call over the contiguous gradient buffer. Every process applies the same step to the same
/// weights, so the weights stay identical without ever being sent. Nil (one process, or a
/// stage every process runs on the same rows): no call.
public protocol GradientReducer: AnyObject {
    /// Replaces the `count` values at `gradients` by their mean over every process.
    func average(_ gradients: UnsafeMutablePointer<Float>, count: Int)
    /// Replaces `values` by their sums over every process (an epoch's loss sums).
    func sum(_ values: inout [Double])
}
