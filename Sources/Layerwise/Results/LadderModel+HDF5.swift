import LayerwiseHDF5
import LayerwiseMath
import LayerwiseNN

/// What a ladder stage leaves beside its folded encoder and head: the network as trained
/// (unfolded encoder weights, decoder, combinators, running statistics) and its settings,
/// enough to go on training it.
struct LadderModel: Equatable {
    var state: LadderState
    var activation: Activation
    var noise: Double
    var denoisingWeights: [Double]

    /// d_0 … d_L.
    var widths: [Int] { [state.kernels.first?.rows ?? 0] + state.kernels.map(\.cols) }
}

/// `/model/ladder` of a results file (and of each checkpoint snapshot):
///
/// - `encoder/layer_i/kernel [d_i, d_{i+1}]`, `beta [d_{i+1}]` (i = 0 … L−1, before
///   folding); the softmax layer also `gamma`;
/// - `batch_norm/layer_i/running_mean`, `running_variance [d_{i+1}]` (unbiased, clean pass);
/// - `decoder/layer_l/combinator [10, d_l]` (rows a1 … a10) for l = 0 (the input) … L, and
///   `decoder/layer_l/kernel [d_{l+1}, d_l]` (V_l, ẑ_{l+1} → u_l) for l < L;
/// - attributes `widths`, `activation`, `noise`, `denoising_weights`, `epsilon`,
///   `statistics_updates`.
extension LadderModel {
    func write(to parent: H5Group) throws {
        let g = try parent.createGroup("ladder")
        let s = state, L = s.kernels.count
        try g.setAttribute("widths", widths.map(Int64.init))
        try g.setAttribute("activation", activation.rawValue)
        try g.setAttribute("noise", noise)
        try g.setAttribute("denoising_weights", denoisingWeights)
        try g.setAttribute("epsilon", Double(LadderNetwork.epsilon))
        try g.setAttribute("statistics_updates", Int64(s.statisticsUpdates))
        try g.setAttribute(
            "note",
            "ladder network (Rasmus et al. 2015) as trained; /model/encoder and /model/head hold it with the batch normalisation folded in")
        for i in 0..<L {
            let e = try g.createGroup("encoder/layer_\(i)")
            try e.write("kernel", s.kernels[i].storage, shape: [s.kernels[i].rows, s.kernels[i].cols])
            try e.write("beta", s.betas[i], shape: [s.betas[i].count])
            if i == L - 1 { try e.write("gamma", s.gamma, shape: [s.gamma.count]) }
            let b = try g.createGroup("batch_norm/layer_\(i)")
            try b.write("running_mean", s.runningMean[i], shape: [s.runningMean[i].count])
            try b.write("running_variance", s.runningVariance[i], shape: [s.runningVariance[i].count])
        }
        for l in 0...L {
            let d = try g.createGroup("decoder/layer_\(l)")
            try d.write("combinator", s.combinators[l].storage, shape: [10, s.combinators[l].cols])
            if l < L { try d.write("kernel", s.decoderKernels[l].storage, shape: [s.decoderKernels[l].rows, s.decoderKernels[l].cols]) }
        }
    }

    /// `parent/ladder`, or nil when there is none.
    static func read(from parent: H5Group) throws -> LadderModel? {
        guard parent.exists("ladder") else { return nil }
        let g = try parent.group("ladder")
        let where_ = "\(parent.file.path): \(g.path)"
        guard case .string(let actName)? = try? g.attribute("activation"), let activation = Activation(rawValue: actName),
            case .double(let noise)? = try? g.attribute("noise"),
            case .doubles(let weights)? = try? g.attribute("denoising_weights"),
            case .int(let updates)? = try? g.attribute("statistics_updates")
        else {
            throw InputError("\(where_) lacks the ladder's attributes (activation, noise, denoising_weights, statistics_updates)")
        }
        func matrix(_ path: String) throws -> Matrix {
            let ds = try g.dataset(path)
            guard ds.shape.count == 2 else { throw InputError("\(where_)/\(path) is not 2-D") }
            return Matrix(rows: ds.shape[0], cols: ds.shape[1], storage: try ds.read(as: Float.self))
        }
        func vector(_ path: String) throws -> [Float] { try g.dataset(path).read(as: Float.self) }
        var kernels: [Matrix] = [], betas: [[Float]] = [], means: [[Float]] = [], variances: [[Float]] = []
        while g.exists("encoder/layer_\(kernels.count)") {
            let i = kernels.count
            kernels.append(try matrix("encoder/layer_\(i)/kernel"))
            betas.append(try vector("encoder/layer_\(i)/beta"))
            means.append(try vector("batch_norm/layer_\(i)/running_mean"))
            variances.append(try vector("batch_norm/layer_\(i)/running_variance"))
        }
        let L = kernels.count
        guard L > 0 else { throw InputError("\(where_) has no encoder layers") }
        let gamma = try vector("encoder/layer_\(L - 1)/gamma")
        let combinators = try (0...L).map { try matrix("decoder/layer_\($0)/combinator") }
        let decoder = try (0..<L).map { try matrix("decoder/layer_\($0)/kernel") }
        let state = LadderState(
            kernels: kernels, betas: betas, gamma: gamma, decoderKernels: decoder, combinators: combinators,
            runningMean: means, runningVariance: variances, statisticsUpdates: Int(updates))
        return LadderModel(state: state, activation: activation, noise: noise, denoisingWeights: weights)
    }
}
