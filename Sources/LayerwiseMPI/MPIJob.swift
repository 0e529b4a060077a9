import CLayerwiseMPI
import Foundation
import Layerwise

/// The `layerwise` tool's processes: the MPI job it was launched in, or one process.
public enum MPIProcesses {
    /// This process's cluster. The first use joins the MPI job (`MPI_Init_thread`) when a
    /// launcher started the process (`mpirun`, `srun`); otherwise it is `Cluster.single`
    /// and no MPI call is ever made.
    public static let current: Cluster = {
        guard let job = MPIJob() else { return .single }
        if job.rank != 0 { Interruption.silence() }
        return Cluster(job)
    }()
}

/// This process's part in an MPI job (`mpirun -np N layerwise run …`, or `srun`).
///
/// Collectives are MPI's blocking ones (its tuned allreduce; the non-blocking one was 20 %
/// slower per pretraining step here). So that no rank waits forever for one that failed,
/// a failing rank sends its one-line error to rank 0, where a watcher thread receives it,
/// prints it and ends the whole job (`MPI_Abort`) with the error's exit code.
final class MPIJob: ProcessGroup, @unchecked Sendable {
    let rank: Int
    let size: Int
    private let comm = lw_mpi_comm_world()
    private var watcher: Thread?
    private let stopWatching = NSCondition()
    private var watching = true
    static let messageBytes = 4096
    static let failureTag: Int32 = 77

    /// Whether this process was started by an MPI launcher (Open MPI's `mpirun`, or a
    /// PMI/PMIx launcher such as Slurm's `srun`).
    static var launched: Bool {
        let env = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"].contains { env[$0] != nil }
    }

    /// Joins the job (`MPI_Init_thread`); nil when not started by an MPI launcher.
    init?() {
        guard MPIJob.launched else { return nil }
        var provided: Int32 = 0
        guard MPI_Init_thread(nil, nil, Int32(MPI_THREAD_MULTIPLE), &provided) == MPI_SUCCESS else { return nil }
        var r: Int32 = 0, n: Int32 = 0
        MPI_Comm_rank(comm, &r)
        MPI_Comm_size(comm, &n)
        rank = Int(r)
        size = Int(n)
        if rank == 0 && size > 1 {
            let t = Thread { [unowned self] in self.watch() }
            t.name = "layerwise.mpi-failures"
            watcher = t
            t.start()
        }
    }

    /// `values` replaced by their sum (or maximum) over every rank.
    private func allreduce(_ values: inout [Double], _ op: MPI_Op) {
        values.withUnsafeMutableBufferPointer { p in
            _ = MPI_Allreduce(lw_mpi_in_place(), p.baseAddress, Int32(p.count), lw_mpi_double(), op, comm)
        }
    }

    func maximum(_ values: inout [Double]) {
        allreduce(&values, lw_mpi_max())
    }

    func average(_ gradients: UnsafeMutablePointer<Float>, count: Int) {
        MPI_Allreduce(lw_mpi_in_place(), gradients, Int32(count), lw_mpi_float(), lw_mpi_sum(), comm)
        let scale = 1 / Float(size)
        for i in 0..<count { gradients[i] *= scale }
    }

    func sum(_ values: inout [Double]) {
        allreduce(&values, lw_mpi_sum())
    }

    /// Every rank waits here until all have come.
    func barrier() { MPI_Barrier(comm) }

    /// Rank 0's watcher: a message from a failed rank prints as this job's error, and the job ends.
    private func watch() {
        var buffer = [CChar](repeating: 0, count: MPIJob.messageBytes)
        while true {
            stopWatching.lock()
            let go = watching
            stopWatching.unlock()
            guard go else { return }
            var arrived: Int32 = 0
            MPI_Iprobe(lw_mpi_any_source(), MPIJob.failureTag, comm, &arrived, lw_mpi_status_ignore())
            if arrived != 0 {
                MPI_Recv(
                    &buffer, Int32(buffer.count), lw_mpi_char(), lw_mpi_any_source(), MPIJob.failureTag, comm,
                    lw_mpi_status_ignore())
                let text = String(cString: buffer)
                let status = Int32(text.prefix(while: { $0 != " " })) ?? 2
                end(String(text.drop(while: { $0 != " " }).dropFirst()), status: status)
            }
            usleep(5_000)
        }
    }

    /// Reports a failure of this rank: rank 0 prints it and ends the job; another rank hands
    /// it to rank 0 and waits to be ended with it.
    func fail(_ message: String, status: Int32) -> Never {
        if rank == 0 { end(message, status: status) }
        var bytes = Array("\(status) \(message)".utf8CString.prefix(MPIJob.messageBytes - 1)) + [0]
        MPI_Send(&bytes, Int32(bytes.count), lw_mpi_char(), 0, MPIJob.failureTag, comm)
        // Rank 0's watcher ends the job within moments; should rank 0 be gone already, go anyway.
        sleep(20)
        MPI_Abort(comm, status)
        _exit(status)
    }

    private func end(_ message: String, status: Int32) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        Interruption.removeTemporaries()
        MPI_Abort(comm, status)
        _exit(status)
    }

    /// `MPI_Finalize`: every rank calls it once, at the end of the command, after `barrier`.
    func finish() {
        stopWatching.lock()
        watching = false
        stopWatching.unlock()
        while watcher?.isFinished == false { usleep(1_000) }
        MPI_Finalize()
    }
}
