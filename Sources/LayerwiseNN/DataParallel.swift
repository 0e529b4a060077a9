/// Averages gradients over the processes of a data-parallel job (an MPI allreduce).
public protocol GradientReducer: AnyObject {
    /// Replaces the `count` values at `gradients` by their mean over every process.
    func average(_ gradients: UnsafeMutablePointer<Float>, count: Int)
    /// Replaces `values` by their sums over every process (an epoch's loss sums).
    func sum(_ values: inout [Double])
}

/// Data-parallel training: while a stage that shares its rows out over processes trains,
/// `reducer` is set and every optimizer step (`ParameterStore.update`) first averages its
/// gradients through it, one call over the contiguous gradient buffer. Every process then
/// applies the same step to the same weights, so the weights stay identical without ever
/// being sent. Nil (one process, or a stage every process runs on the same rows): no call.
public enum DataParallel {
    nonisolated(unsafe) public static var reducer: GradientReducer?

    /// Runs `body` with `reducer` set (nil: as it is).
    public static func with<T>(_ reducer: GradientReducer?, _ body: () throws -> T) rethrows -> T {
        guard let reducer else { return try body() }
        let before = self.reducer
        self.reducer = reducer
        defer { self.reducer = before }
        return try body()
    }
}
