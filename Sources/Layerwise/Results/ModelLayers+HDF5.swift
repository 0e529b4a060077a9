import LayerwiseHDF5
import LayerwiseMath
import LayerwiseNN

/// How a model's layers sit in an HDF5 group (`/model` of a results file, a stage of a
/// checkpoint): `encoder/layer_0`, `layer_1`, …, `decoder/…`, `head/…`,
/// `pretrained_encoder/…` and `vae/log_var`, each a Dense layer with `kernel [in, out]`,
/// `bias [out]` and an `activation` attribute. Written and read here only, so the results
/// file, the checkpoint, `encode`/`predict`/`score`, the report and the Keras export agree.
extension ModelLayers {
    func write(to g: H5Group) throws {
        try Self.write(g, "encoder", encoder)
        if tiedWeights {
            // The decoder belongs to the encoder it was trained with: after fine-tuning that
            // is the pretrained encoder, not the fine-tuned one.
            let owner = pretrainedEncoder == nil ? "encoder" : "pretrained_encoder"
            for (i, l) in decoder.enumerated() {
                let d = try g.createGroup("decoder/layer_\(i)")
                try d.setAttribute("tied_to", "\(g.path == "/" ? "" : g.path)/\(owner)/layer_\(encoder.count - 1 - i)/kernel")
                try d.setAttribute("activation", l.activation.rawValue)
                let b = try d.write("bias", l.bias, shape: [l.bias.count])
                try b.setAttribute("activation", l.activation.rawValue)
            }
        } else {
            try Self.write(g, "decoder", decoder)
        }
        try Self.write(g, "head", head)
        if let lv = logVariance {
            // A VAE: the encoder's last layer is μ; its twin gives log σ².
            try Self.write(g, "vae/log_var", lv)
            try g.group("vae").setAttribute("latent", "z = mu + exp(0.5 * log_var) * eps; mu = the last encoder layer")
        }
        if let pre = pretrainedEncoder {
            // Fine-tuning moved the encoder away from the decoder; reconstructions and
            // anomaly scores use the autoencoder as pretrained.
            try Self.write(g, "pretrained_encoder", pre)
        }
        try ladder?.write(to: g)
        if !encoder.isEmpty || !head.isEmpty {
            try g.setAttribute("encoder_layers", Int64(encoder.count))
            try g.setAttribute("head_layers", Int64(head.count))
        }
    }

    /// The layers under `g` (absent groups give no layers).
    static func read(from g: H5Group) throws -> ModelLayers {
        var m = ModelLayers()
        m.encoder = try layers(g, "encoder")
        let pretrained = try layers(g, "pretrained_encoder")
        m.pretrainedEncoder = pretrained.isEmpty ? nil : pretrained
        m.head = try layers(g, "head")
        m.logVariance = g.exists("vae/log_var") ? try layer(g, "vae/log_var", kernel: nil) : nil
        m.ladder = try LadderModel.read(from: g)
        m.tiedWeights = g.exists("decoder/layer_0") && !g.exists("decoder/layer_0/kernel")
        if m.tiedWeights {
            let owner = m.autoencoderEncoder
            for i in 0... {
                guard g.exists("decoder/layer_\(i)") else { break }
                let enc = owner.count - 1 - i
                guard enc >= 0 else {
                    throw InputError("\(g.file.path): \(g.path)/decoder/layer_\(i) has neither a kernel nor a tied encoder layer")
                }
                m.decoder.append(try layer(g, "decoder/layer_\(i)", kernel: owner[enc].kernel.transposed))
            }
        } else {
            m.decoder = try layers(g, "decoder")
        }
        try m.checkShapes(file: g.file.path, group: g.path)
        return m
    }

    /// Checks that the layers read from a file make networks: each layer takes what the
    /// one before it gives, the head sits on the encoder, the decoder maps the codes back
    /// to the encoder's input width. The engine requires all of it (a file that breaks it
    /// is corrupt or not Layerwise's), so it fails here, naming the layer.
    func checkShapes(file: String, group: String) throws {
        let prefix = group == "/" ? "" : group
        func check(_ layers: [DenseLayer], _ name: String, after previous: (String, Int)?) throws {
            var previous = previous
            for (i, l) in layers.enumerated() {
                let here = "\(prefix)/\(name)/layer_\(i)"
                guard l.kernel.rows > 0, l.kernel.cols > 0 else {
                    throw InputError("\(file): \(here) has a kernel of shape [\(l.kernel.rows), \(l.kernel.cols)]")
                }
                if let (source, width) = previous, width != l.kernel.rows {
                    throw InputError("\(file): \(here) takes \(l.kernel.rows) inputs, \(source) gives \(width)")
                }
                previous = (here, l.kernel.cols)
            }
        }
        func last(_ layers: [DenseLayer], _ name: String) -> (String, Int)? {
            layers.last.map { ("\(prefix)/\(name)/layer_\(layers.count - 1)", $0.kernel.cols) }
        }
        try check(encoder, "encoder", after: nil)
        try check(pretrainedEncoder ?? [], "pretrained_encoder", after: nil)
        // Both read the same features; their widths above may differ (a ladder of its own
        // widths after pretraining keeps the pretrained encoder beside it).
        if let pre = pretrainedEncoder?.first, let enc = encoder.first, pre.kernel.rows != enc.kernel.rows {
            throw InputError(
                "\(file): \(prefix)/pretrained_encoder takes \(pre.kernel.rows) features, \(prefix)/encoder \(enc.kernel.rows)")
        }
        try check(head, "head", after: last(encoder, "encoder"))
        let owner = pretrainedEncoder == nil ? "encoder" : "pretrained_encoder"
        try check(decoder, "decoder", after: last(autoencoderEncoder, owner))
        if let out = decoder.last?.kernel.cols, let inputs = autoencoderEncoder.first?.kernel.rows, out != inputs {
            throw InputError("\(file): \(prefix)/decoder/layer_\(decoder.count - 1) gives \(out) values, the encoder takes \(inputs)")
        }
        if !decoder.isEmpty && autoencoderEncoder.isEmpty {
            throw InputError("\(file): \(prefix)/decoder has no encoder to decode")
        }
        if let lv = logVariance, let mu = encoder.last,
            lv.kernel.rows != mu.kernel.rows || lv.kernel.cols != mu.kernel.cols
        {
            throw InputError(
                "\(file): \(prefix)/vae/log_var is [\(lv.kernel.rows), \(lv.kernel.cols)], the encoder's last layer [\(mu.kernel.rows), \(mu.kernel.cols)]"
            )
        }
    }

    private static func write(_ g: H5Group, _ group: String, _ layers: [DenseLayer]) throws {
        for (i, l) in layers.enumerated() { try write(g, "\(group)/layer_\(i)", l) }
    }

    private static func write(_ parent: H5Group, _ path: String, _ l: DenseLayer) throws {
        let g = try parent.createGroup(path)
        try g.write("kernel", l.kernel.storage, shape: [l.kernel.rows, l.kernel.cols])
        let b = try g.write("bias", l.bias, shape: [l.bias.count])
        try b.setAttribute("activation", l.activation.rawValue)
        try g.setAttribute("activation", l.activation.rawValue)
    }

    /// `group/layer_0`, `layer_1`, … in order.
    private static func layers(_ g: H5Group, _ group: String) throws -> [DenseLayer] {
        var out: [DenseLayer] = []
        while g.exists("\(group)/layer_\(out.count)") { out.append(try layer(g, "\(group)/layer_\(out.count)", kernel: nil)) }
        return out
    }

    /// One Dense layer; `kernel` given for a tied decoder layer (which stores none).
    private static func layer(_ parent: H5Group, _ path: String, kernel given: Matrix?) throws -> DenseLayer {
        let l = try parent.group(path)
        let where_ = "\(parent.file.path): \(l.path)"
        guard case .string(let name) = try l.attribute("activation") else {
            throw InputError("\(where_) is not a Dense layer (kernel [in, out], bias, activation)")
        }
        guard let activation = Activation(rawValue: name) else {
            throw InputError("\(where_): unknown activation '\(name)'")
        }
        let kernel: Matrix
        if let given {
            kernel = given
        } else {
            let k = try l.dataset("kernel")
            guard k.shape.count == 2 else { throw InputError("\(where_): kernel is not 2-D [in, out]") }
            kernel = Matrix(rows: k.shape[0], cols: k.shape[1], storage: try k.read(as: Float.self))
        }
        let bias = try l.dataset("bias").read(as: Float.self)
        guard bias.count == kernel.cols else {
            throw InputError("\(where_): bias has \(bias.count) values for \(kernel.cols) outputs")
        }
        return DenseLayer(kernel: kernel, bias: bias, activation: activation)
    }
}
