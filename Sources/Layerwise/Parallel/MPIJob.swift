import CMPI
import Foundation
import NeuralNet

/// This process's part in an MPI job (`mpirun -np N layerwise run …`, or `srun`).
///
/// Collectives wait by polling, so that rank 0 also hears when another rank failed: a
/// rank that fails sends its one-line error to rank 0 and waits; rank 0, in its next
/// collective (every training step has one), prints that line and ends the whole job with
/// the error's exit code. No rank waits forever for a rank that has gone.
final class MPIJob: GradientReducer, @unchecked Sendable {
    let rank: Int
    let size: Int
    private let comm = lw_mpi_comm_world()
    /// Rank 0: the posted receive for a failed rank's message.
    private var failureRequest: MPI_Request? = nil
    private let failureBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: MPIJob.messageBytes)
    static let messageBytes = 4096
    static let failureTag: Int32 = 77

    /// Whether this process was started by an MPI launcher (Open MPI's `mpirun`, or a
    /// PMI/PMIx launcher such as Slurm's `srun`).
    static var launched: Bool {
        let env = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"].contains { env[$0] != nil }
    }

    /// Joins the job (`MPI_Init`); nil when not started by an MPI launcher.
    init?() {
        guard MPIJob.launched else { return nil }
        var provided: Int32 = 0
        guard MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided) == MPI_SUCCESS else { return nil }
        var r: Int32 = 0, n: Int32 = 0
        MPI_Comm_rank(comm, &r)
        MPI_Comm_size(comm, &n)
        rank = Int(r)
        size = Int(n)
        if rank == 0 {
            MPI_Irecv(failureBuffer, Int32(MPIJob.messageBytes), lw_mpi_char(), lw_mpi_any_source(), MPIJob.failureTag,
                      comm, &failureRequest)
        }
    }

    enum Operation { case sum, maximum }

    /// `values` replaced by their sum (or maximum) over every rank.
    func allreduce(_ values: inout [Double], _ op: Operation) throws {
        var request: MPI_Request? = nil
        values.withUnsafeMutableBufferPointer { p in
            _ = MPI_Iallreduce(lw_mpi_in_place(), p.baseAddress, Int32(p.count), lw_mpi_double(),
                               op == .sum ? lw_mpi_sum() : lw_mpi_max(), comm, &request)
            wait(&request)
        }
    }

    func average(_ gradients: UnsafeMutablePointer<Float>, count: Int) {
        var request: MPI_Request? = nil
        MPI_Iallreduce(lw_mpi_in_place(), gradients, Int32(count), lw_mpi_float(), lw_mpi_sum(), comm, &request)
        wait(&request)
        let scale = 1 / Float(size)
        for i in 0..<count { gradients[i] *= scale }
    }

    func sum(_ values: inout [Double]) {
        try? allreduce(&values, .sum)
    }

    /// Every rank waits here until all have come (rank 0 meanwhile hears of failures).
    func barrier() {
        var request: MPI_Request? = nil
        MPI_Ibarrier(comm, &request)
        wait(&request)
    }

    /// Polls `request` until it completes; on rank 0, a failed rank's message ends the job.
    private func wait(_ request: inout MPI_Request?) {
        var done: Int32 = 0
        var polls = 0
        while true {
            MPI_Test(&request, &done, lw_mpi_status_ignore())
            if done != 0 { return }
            polls += 1
            if rank == 0 && polls % 64 == 0 { checkFailures() }
            // Spin while the other ranks are about to arrive; then let others have the core.
            if polls > 2000 { sched_yield() }
        }
    }

    /// Rank 0: a message from a failed rank prints as this job's error, and the job ends.
    private func checkFailures() {
        var arrived: Int32 = 0
        MPI_Test(&failureRequest, &arrived, lw_mpi_status_ignore())
        guard arrived != 0 else { return }
        let text = String(cString: failureBuffer)
        let status = Int32(text.prefix(while: { $0 != " " })) ?? 2
        end(String(text.drop(while: { $0 != " " }).dropFirst()), status: status)
    }

    /// Reports a failure of this rank: rank 0 prints it and ends the job; another rank hands
    /// it to rank 0 and waits to be ended with it.
    func fail(_ message: String, status: Int32) -> Never {
        if rank == 0 { end(message, status: status) }
        var bytes = Array("\(status) \(message)".utf8CString.prefix(MPIJob.messageBytes - 1)) + [0]
        MPI_Send(&bytes, Int32(bytes.count), lw_mpi_char(), 0, MPIJob.failureTag, comm)
        // Rank 0 ends the job when it reaches its next collective; should it have ended first, go anyway.
        sleep(60)
        MPI_Abort(comm, status)
        _exit(status)
    }

    private func end(_ message: String, status: Int32) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        Interruption.removeTemporaries()
        MPI_Abort(comm, status)
        _exit(status)
    }

    /// `MPI_Finalize`: every rank calls it once, at the end of the command.
    func finish() {
        if rank == 0 {
            MPI_Cancel(&failureRequest)
            MPI_Request_free(&failureRequest)
        }
        MPI_Finalize()
    }
}
