import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// `model: vae` through the pipeline: curves, the μ encoder and log σ² layer in the
/// results file, and the schema around it.
final class VAEPipelineTests: XCTestCase {
    func testCurvesAddUpAndEmbeddingsAreTheMean() throws {
        let folder = try TinyData.folder(self)
        try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(TinyData.vaePipeline, into: folder)
        let report = try Runner.run(pipelineFile: path, options: RunOptions(threads: 1, quiet: true))
        let root = try H5File.open(report.resultsPath).root
        func floats(_ p: String) throws -> [Float] { try root.dataset(p).read(as: Float.self) }
        let loss = try floats("metrics/pretrain/vae/loss"), recon = try floats("metrics/pretrain/vae/reconstruction")
        let kl = try floats("metrics/pretrain/vae/kl")
        XCTAssertEqual([loss.count, recon.count, kl.count], [4, 4, 4])
        for e in 0..<4 {
            // β warms up over 2 epochs: 0.5, then 1.
            let beta: Float = e == 0 ? 0.5 : 1
            XCTAssertEqual(loss[e], recon[e] + beta * kl[e], accuracy: 1e-4 * loss[e], "epoch \(e + 1)")
            XCTAssertGreaterThan(kl[e], 0)
        }
        XCTAssertLessThan(recon[3], recon[0])

        // Encoder: 784 → 32 (relu) → μ of 8 (identity); log σ² beside it; decoder 8 → 32 → 784.
        XCTAssertEqual(try root.dataset("model/encoder/layer_0/kernel").shape, [784, 32])
        XCTAssertEqual(try root.dataset("model/encoder/layer_1/kernel").shape, [32, 8])
        XCTAssertEqual(try root.group("model/encoder/layer_1").attribute("activation"), .string("identity"))
        XCTAssertEqual(try root.dataset("model/vae/log_var/kernel").shape, [32, 8])
        XCTAssertEqual(try root.dataset("model/decoder/layer_0/kernel").shape, [8, 32])
        XCTAssertEqual(try root.dataset("model/decoder/layer_1/kernel").shape, [32, 784])
        XCTAssertEqual(try root.group("model/decoder/layer_1").attribute("activation"), .string("sigmoid"))

        // The embeddings are μ of the stored (fine-tuned) encoder on the scaled test images.
        let images = try H5File.open(folder.appendingPathComponent("tiny.h5").path).root.dataset("/test/images").read(as: UInt8.self)
        let codes = try floats("embeddings/test")
        let w0 = try floats("model/encoder/layer_0/kernel"), b0 = try floats("model/encoder/layer_0/bias")
        let w1 = try floats("model/encoder/layer_1/kernel"), b1 = try floats("model/encoder/layer_1/bias")
        for row in [0, 99] {
            let x = (0..<784).map { Double(images[row * 784 + $0]) / 255 }
            let h = (0..<32).map { j in max(0, (0..<784).reduce(Double(b0[j])) { $0 + x[$1] * Double(w0[$1 * 32 + j]) }) }
            for j in 0..<8 {
                let mu = (0..<32).reduce(Double(b1[j])) { $0 + h[$1] * Double(w1[$1 * 8 + j]) }
                XCTAssertEqual(Double(codes[row * 8 + j]), mu, accuracy: 1e-4, "row \(row) μ \(j)")
            }
        }
    }

    func problems(_ overrides: [String], _ yaml: String = TinyData.vaePipeline) -> [String] {
        messages(overrides, yaml).map(\.keyPath)
    }

    func messages(_ overrides: [String], _ yaml: String = TinyData.vaePipeline) -> [ConfigProblem] {
        do {
            _ = try Pipeline.parse(yaml, file: "p.yaml", baseDirectory: URL(fileURLWithPath: "/tmp"), overrides: overrides)
            return []
        } catch let e as PipelineError { return e.problems } catch { XCTFail("\(error)"); return [] }
    }

    func testVAESchema() throws {
        let p = try Pipeline.parse(
            TinyData.vaePipeline, file: "p.yaml", baseDirectory: URL(fileURLWithPath: "/tmp"), overrides: ["pretrain.vae={}"])
        XCTAssertEqual(p.config.pretrain?.model, .vae(VAESettings(beta: 1, klWarmupEpochs: 0)))
        XCTAssertEqual(problems(["pretrain.vae.beta=-1"]), ["pretrain.vae.beta"])
        XCTAssertEqual(problems(["pretrain.vae.warmup=3"]), ["pretrain.vae.warmup"])
        XCTAssertEqual(problems(["pretrain.end_to_end={epochs: 2}"]), ["pretrain.end_to_end"])
        XCTAssertEqual(problems(["pretrain.tied_weights=true"]), ["pretrain.tied_weights"])
        XCTAssertEqual(problems(["pretrain.model=basic"]), ["pretrain.vae"])
        XCTAssertTrue(
            messages(["pretrain.end_to_end={epochs: 2}"]).first?.message.contains("trains encoder and decoder together already") ?? false)
        XCTAssertTrue(messages(["pretrain.tied_weights=true"]).first?.message.contains("a VAE's decoder has its own weights") ?? false)
        XCTAssertTrue(messages(["pretrain.model=basic"]).first?.message.contains("is used only with model: vae") ?? false)
    }
}
