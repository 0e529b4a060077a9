import Foundation
import XCTest
@testable import Layerwise

/// Every pipeline shipped in Pipelines/ passes the schema (the Fashion-MNIST ones need
/// Datasets/fashion-mnist.h5 to run, but a typo in them should not wait for that).
final class ShippedPipelinesTests: XCTestCase {
    func testEveryShippedPipelineParses() throws {
        let folder = TinyData.repoRoot.appendingPathComponent("Pipelines")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 9, "\(files)")
        var models: Set<String> = []
        for name in files {
            let runs = try Pipeline.loadAll(file: folder.appendingPathComponent(name).path, overrides: [])
            XCTAssertFalse(runs.isEmpty, name)
            if let m = runs.first?.config.pretrain?.model.kind.rawValue { models.insert(m) }
            if name == "fashion-mnist-anomaly.yaml" {
                XCTAssertEqual(runs.count, 10, "one run per normal class")
                XCTAssertEqual(Set(runs.compactMap { $0.config.anomaly?.normalClasses }), Set((0..<10).map { [$0] }))
            }
        }
        // A Fashion-MNIST pipeline for each pretraining model the README reports.
        XCTAssertTrue(models.isSuperset(of: ["denoising", "rbm", "vae", "contractive", "sparse", "basic"]), "\(models)")
    }
}
