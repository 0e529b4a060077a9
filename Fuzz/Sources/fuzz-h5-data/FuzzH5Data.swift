import Foundation
import FuzzSupport
import Layerwise

// An HDF5 data file as `layerwise run` / `validate` read it (the data stage: features,
// labels, the labeled subset) and as `encode` / `predict` / `score` read their input
// dataset (in chunks, against a model trained on 16 features at start-up).

let pipeline = """
    name: fuzz
    data:
      train: data.h5:/train/images
      train_labels: data.h5:/train/labels
      test: data.h5:/test/images
      test_labels: data.h5:/test/labels
      labeled: {count: 10}
    pretrain: {layers: [4]}
    classifier: {hidden: [4]}
    anomaly: {}
    """
nonisolated(unsafe) var model = ""

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    Seeds.writeIfAsked {
        try Fixtures.Variant.allCases.map { v in
            let p = Fuzz.path("seed.h5")
            try Fixtures.writeData(p, v, train: 24, test: 8)
            return ("\(v).h5", try Data(contentsOf: URL(fileURLWithPath: p)))
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    if model.isEmpty {
        do {
            model = try Fixtures.run(Fixtures.pipeline(), in: Fuzz.folder.appendingPathComponent("model"))
            try pipeline.write(toFile: Fuzz.path("p.yaml"), atomically: true, encoding: .utf8)
        } catch { fatalError("fuzz-h5-data: cannot train the model: \(error)") }
    }
    defer { Fuzz.clean(keeping: ["model", "p.yaml"]) }
    let data = Fuzz.write(InputBytes(bytes, size).rest, to: "data.h5")
    Fuzz.command("validate") { _ = try Runner.validate(pipelineFile: Fuzz.path("p.yaml"), overrides: []) }
    for kind in [Apply.Kind.predict, .score] {
        Fuzz.command(kind.rawValue) {
            _ = try Apply.run(kind, results: model, input: "\(data):/test/images", output: Fuzz.path("out.h5"), threads: 1)
        }
    }
    return 0
}
