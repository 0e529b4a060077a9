import Foundation
import LayerwiseNN

/// The collectives a data-parallel run needs of its processes.
///
/// The library links no MPI: the `layerwise` tool's `LayerwiseMPI` module supplies an
/// implementation over Open MPI, and a Swift program that runs Layerwise on a cluster of
/// its own can supply another. Every process of a group calls every collective in the
/// same order.
public protocol ProcessGroup: GradientReducer {
    /// This process's index, `0..<size`.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Replaces `values` by their elementwise maximum over every process.
    func maximum(_ values: inout [Double])
    /// Returns once every process has called it.
    func barrier()
    /// Ends the whole group with `message` as its one `error:` line and `status` as its
    /// exit code (rank 0 prints it, wherever it arose).
    func fail(_ message: String, status: Int32) -> Never
    /// Leaves the group, after a `barrier`; the last call a process makes on it.
    func finish()
}

/// The processes one run trains on: one, or a `ProcessGroup` (the ranks of an MPI job,
/// `mpirun -np N layerwise run …`). Every collective a run makes goes through here; with
/// one process each is the identity and no collective is called.
public struct Cluster: @unchecked Sendable {
    /// This process's index in the group (0 with one process).
    public let rank: Int
    /// The number of processes.
    public let size: Int
    /// The group's collectives (nil with one process).
    let group: (any ProcessGroup)?

    /// One process: no collectives.
    public static let single = Cluster(nil)

    /// The processes of `group`, or one process when it is nil.
    public init(_ group: (any ProcessGroup)?) {
        self.group = group
        rank = group?.rank ?? 0
        size = group?.size ?? 1
    }

    /// Rank 0 alone prints, checkpoints and writes results.
    public var isLeader: Bool { rank == 0 }

    /// This rank's contiguous share of `count` rows (sizes differ by at most one).
    func share(_ count: Int) -> Range<Int> {
        (count * rank / size)..<(count * (rank + 1) / size)
    }

    /// The largest `value` over the ranks.
    func maximum(_ value: Int) -> Int {
        guard let group else { return value }
        var v = [Double(value)]
        group.maximum(&v)
        return Int(v[0])
    }

    /// Scaling statistics gathered over every rank's share.
    func merged(_ a: Scaler.Accumulator) -> Scaler.Accumulator {
        guard let group else { return a }
        var m = a
        let d = a.featureMinimum.count
        var extremes = [Double(-a.minimum), Double(a.maximum)] + a.featureMinimum.map { -Double($0) } + a.featureMaximum.map(Double.init)
        group.maximum(&extremes)
        m.minimum = Float(-extremes[0])
        m.maximum = Float(extremes[1])
        m.featureMinimum = extremes[2..<(2 + d)].map { Float(-$0) }
        m.featureMaximum = extremes[(2 + d)...].map { Float($0) }
        var sums = a.sum + a.sumOfSquares + [Double(a.rows)]
        group.sum(&sums)
        m.sum = Array(sums[0..<a.sum.count])
        m.sumOfSquares = Array(sums[a.sum.count..<(2 * a.sum.count)])
        m.rows = Int(sums[sums.count - 1])
        return m
    }

    /// The gradient averaging of a data-parallel stage (nil with one process).
    var reducer: GradientReducer? { size > 1 ? group : nil }

    /// Every rank waits here for the others.
    public func barrier() { group?.barrier() }

    /// Reports `message` as the command's error. One process: prints it and returns (the
    /// caller exits with `status`). In a group of several it never returns: rank 0 prints
    /// it and ends the job; another rank hands it to rank 0.
    public func reportError(_ message: String, status: Int32) {
        if let group, size > 1 { group.fail(message, status: status) }
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    /// Ends this process's part in the group after every rank has come here.
    public func finish() {
        guard let group else { return }
        group.barrier()
        group.finish()
    }
}
