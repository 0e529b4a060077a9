import Foundation
import LayerwiseNN

/// The processes one run trains on: one, or the ranks of an MPI job (`mpirun -np N
/// layerwise run …`). Every collective a run makes goes through here; with one process
/// each is the identity and no MPI call is made.
struct Cluster: @unchecked Sendable {
    let rank: Int
    let size: Int
    /// The MPI job, when there is one.
    let mpi: MPIJob?

    static let single = Cluster(rank: 0, size: 1, mpi: nil)

    /// Rank 0 alone prints, checkpoints and writes results.
    var isLeader: Bool { rank == 0 }

    /// This rank's contiguous share of `count` rows (sizes differ by at most one).
    func share(_ count: Int) -> Range<Int> {
        (count * rank / size)..<(count * (rank + 1) / size)
    }

    /// The largest `value` over the ranks.
    func maximum(_ value: Int) -> Int {
        guard let mpi else { return value }
        var v = [Double(value)]
        mpi.allreduce(&v, .maximum)
        return Int(v[0])
    }

    /// Scaling statistics gathered over every rank's share.
    func merged(_ a: Scaler.Accumulator) -> Scaler.Accumulator {
        guard let mpi else { return a }
        var m = a
        let d = a.featureMinimum.count
        var extremes = [Double(-a.minimum), Double(a.maximum)] + a.featureMinimum.map { -Double($0) } + a.featureMaximum.map(Double.init)
        mpi.allreduce(&extremes, .maximum)
        m.minimum = Float(-extremes[0])
        m.maximum = Float(extremes[1])
        m.featureMinimum = extremes[2..<(2 + d)].map { Float(-$0) }
        m.featureMaximum = extremes[(2 + d)...].map { Float($0) }
        var sums = a.sum + a.sumOfSquares + [Double(a.rows)]
        mpi.allreduce(&sums, .sum)
        m.sum = Array(sums[0..<a.sum.count])
        m.sumOfSquares = Array(sums[a.sum.count..<(2 * a.sum.count)])
        m.rows = Int(sums[sums.count - 1])
        return m
    }
}

extension Cluster {
    /// This process's cluster: the MPI job it was launched in, or one process. The first
    /// use joins the job (`MPI_Init`).
    static let current: Cluster = {
        guard let job = MPIJob() else { return .single }
        Interruption.silent = job.rank != 0
        return Cluster(rank: job.rank, size: job.size, mpi: job)
    }()

    /// The gradient averaging of a data-parallel stage (nil with one process).
    var reducer: GradientReducer? { size > 1 ? mpi : nil }

    /// Every rank waits here for the others (rank 0 hears of a failed rank meanwhile).
    func barrier() { mpi?.barrier() }
}

/// What the command-line tool needs of the cluster.
public enum Parallel {
    /// Whether this process prints results (one process, or rank 0 of an MPI job).
    public static var isLeader: Bool { Cluster.current.isLeader }

    /// The processes of this run: 1, or the MPI job's rank count.
    public static var ranks: Int { Cluster.current.size }

    /// Reports `message` as the command's error. One process: prints it and returns (the
    /// caller exits with `status`). In an MPI job it never returns: rank 0 prints it and
    /// ends the job; another rank hands it to rank 0.
    public static func reportError(_ message: String, status: Int32) {
        if MPIJob.launched, let job = Cluster.current.mpi, job.size > 1 { job.fail(message, status: status) }
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    /// Ends this process's part in an MPI job (`MPI_Finalize`) after every rank has finished.
    public static func finish() {
        guard MPIJob.launched, let job = Cluster.current.mpi else { return }
        job.barrier()
        job.finish()
    }
}
