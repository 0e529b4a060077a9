import Foundation
import FuzzSupport
import Layerwise

// A pipeline file as `layerwise run` and `validate` read it. The input is the file's text;
// its lines `#set key.path=value` (YAML comments) are also passed as `--set` overrides.
// A pipeline that loads is validated against tiny.h5 (the data stage), and one small
// enough to train in milliseconds is run, as `layerwise run` would, when every path it
// names stays inside the scratch folder.

let tiny = Fuzz.path("tiny.h5")
nonisolated(unsafe) var ready = false

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    Seeds.writeIfAsked {
        var seeds: [(String, Data)] = [("tiny.yaml", Data(Fixtures.pipeline().utf8)),
                                       ("set.yaml", Data((Fixtures.pipeline() + "#set pretrain.layers=[4]\n#set classifier=null\n#set fine_tune=null\n").utf8)),
                                       ("matrix.yaml", Data(Fixtures.pipeline(["matrix": "\n  pretrain.model: [basic, denoising]\n  seed: [0, 1]"]).utf8))]
        for (name, changes) in Fixtures.resultsPipelines { seeds.append(("results-\(name).yaml", Data(Fixtures.pipeline(changes).utf8))) }
        let folder = Fuzz.repoRoot.appendingPathComponent("Pipelines")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".yaml") {
            // The shipped pipelines, reading tiny.h5 instead of the Fashion-MNIST files.
            var text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for d in ["../Datasets/fashion-mnist-small.h5", "../Datasets/fashion-mnist.h5"] {
                text = text.replacingOccurrences(of: d, with: "tiny.h5")
            }
            seeds.append(("shipped-\(file)", Data(text.utf8)))
        }
        return seeds
    }
    return 0
}

/// Whether `p` reads only tiny.h5 and writes only inside the scratch folder, and trains
/// for a few milliseconds.
func small(_ p: Pipeline) -> Bool {
    let c = p.config
    let refs = [c.data.train] + [c.data.trainLabels, c.data.test, c.data.testLabels].compactMap { $0 }
    guard refs.allSatisfy({ p.resolve($0.file) == tiny }) else { return false }
    let out = c.output.results
    guard !out.hasPrefix("/"), !out.hasPrefix("~"), !out.contains(".."), !c.name.contains("/"), !c.name.contains("..") else { return false }
    if let pre = c.pretrain {
        guard pre.layers.count <= 4, pre.layers.allSatisfy({ $0 <= 32 }), pre.epochs <= 3, (pre.endToEnd?.epochs ?? 0) <= 3 else { return false }
        if case .rbm(let r) = pre.model, r.cdSteps > 3 { return false }
    }
    if let h = c.classifier { guard h.hidden.count <= 4, h.hidden.allSatisfy({ $0 <= 32 }), h.epochs <= 5 else { return false } }
    if let f = c.fineTune, f.epochs > 3 { return false }
    return true
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    if !ready {
        do { try Fixtures.writeData(tiny) } catch { fatalError("fuzz-pipeline: cannot write tiny.h5: \(error)") }
        ready = true
    }
    defer { Fuzz.clean(keeping: ["tiny.h5"]) }
    let input = InputBytes(bytes, size).rest
    let file = Fuzz.write(input, to: "p.yaml")
    let text = String(decoding: input, as: UTF8.self)
    let overrides = text.split(separator: "\n").filter { $0.hasPrefix("#set ") }.map { String($0.dropFirst(5)) }
    Fuzz.command("run") {
        let pipelines = try Pipeline.loadAll(file: file, overrides: overrides)
        guard pipelines.count <= 4, pipelines.allSatisfy(small) else { return }
        _ = try Runner.validate(pipelineFile: file, overrides: overrides)
        _ = try Runner.runAll(pipelineFile: file, options: RunOptions(overrides: overrides, threads: 1, quiet: true))
    }
    return 0
}
