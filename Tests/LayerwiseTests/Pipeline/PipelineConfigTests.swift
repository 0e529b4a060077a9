import Foundation
import XCTest
@testable import Layerwise

/// The pipeline schema: defaults, overrides, and errors that name key path and line.
final class PipelineConfigTests: XCTestCase {
    let base = URL(fileURLWithPath: "/tmp")

    func parse(_ yaml: String, _ overrides: [String] = []) throws -> Pipeline {
        try Pipeline.parse(yaml, file: "p.yaml", baseDirectory: base, overrides: overrides)
    }

    func problems(_ yaml: String, _ overrides: [String] = []) -> [ConfigProblem] {
        do { _ = try parse(yaml, overrides); return [] } catch let e as PipelineError { return e.problems } catch {
            XCTFail("unexpected error \(error)"); return []
        }
    }

    let minimal = """
        data:
          train: d.h5:/train/images
          train_labels: d.h5:/train/labels
        pretrain:
          layers: [32, 8]
        classifier: {}
        """

    func testDefaultsFilled() throws {
        let p = try parse(minimal)
        XCTAssertEqual(p.config.name, "p")
        XCTAssertEqual(p.config.data.train, DatasetRef(file: "d.h5", dataset: "/train/images"))
        XCTAssertEqual(p.config.data.scale, .auto)
        XCTAssertEqual(p.config.pretrain?.layers, [32, 8])
        XCTAssertEqual(p.config.pretrain?.outputActivation, .sigmoid)
        XCTAssertEqual(p.config.pretrain?.loss, .bce)
        XCTAssertEqual(p.config.pretrain?.optimizer.learningRate, 0.001)
        XCTAssertEqual(p.config.classifier?.hidden, [64])
        XCTAssertNil(p.config.fineTune)
        XCTAssertEqual(p.config.output.results, "runs/{name}/results.h5")
    }

    func testDenoisingDefaultsToMaskingNoise() throws {
        let p = try parse(minimal + "\n", ["pretrain.model=denoising"])
        XCTAssertEqual(p.config.pretrain?.model, .denoising(NoiseSettings(kind: .masking, level: 0.2)))
    }

    func testUnknownKeyNamesPathLineAndSuggestion() {
        let ps = problems(minimal.replacingOccurrences(of: "layers: [32, 8]", with: "layers: [32, 8]\n  epoch: 3"))
        XCTAssertEqual(ps.count, 1)
        XCTAssertEqual(ps.first?.keyPath, "pretrain.epoch")
        XCTAssertEqual(ps.first?.line, 6)
        XCTAssertTrue(ps.first?.message.contains("did you mean 'epochs'") ?? false, ps.first?.message ?? "")
    }

    func testAllProblemsAtOnce() {
        let yaml = minimal.replacingOccurrences(
            of: "classifier: {}", with: "classifier:\n  optimizer: {name: adam, learning_rate: -0.1}\n  epochs: many")
        let ps = problems(yaml)
        XCTAssertEqual(Set(ps.map(\.keyPath)), ["classifier.optimizer.learning_rate", "classifier.epochs"])
        XCTAssertTrue(ps.contains { $0.message.contains("must be > 0") })
        XCTAssertTrue(ps.contains { $0.message.contains("expected an integer") && $0.line == 8 })
    }

    func testWrongTypeForList() {
        let ps = problems(minimal.replacingOccurrences(of: "[32, 8]", with: "wide"))
        XCTAssertEqual(ps.map(\.keyPath), ["pretrain.layers"])
    }

    func testOverridesReplaceAndInsert() throws {
        let p = try parse(minimal, ["pretrain.epochs=1", "seed=7", "pretrain.layers=[16]", "fine_tune.epochs=2"])
        XCTAssertEqual(p.config.pretrain?.epochs, 1)
        XCTAssertEqual(p.config.seed, 7)
        XCTAssertEqual(p.config.pretrain?.layers, [16])
        XCTAssertEqual(p.config.fineTune?.epochs, 2)
        XCTAssertTrue(p.resolvedYAML.contains("seed: 7"))
    }

    func testOverrideProblemSaysSet() {
        let ps = problems(minimal, ["pretrain.epochs=-1"])
        XCTAssertEqual(ps.count, 1)
        XCTAssertNil(ps.first?.line)
        XCTAssertTrue(ps.first?.description.contains("(--set)") ?? false)
    }

    func testMalformedYAMLHasLine() {
        let ps = problems("data:\n  train: [a, b\n")
        XCTAssertEqual(ps.count, 1)
        XCTAssertNotNil(ps.first?.line)
        XCTAssertTrue(ps.first?.message.hasPrefix("not valid YAML") ?? false)
    }

    func testExpectations() throws {
        let withTest = minimal.replacingOccurrences(
            of: "  train_labels: d.h5:/train/labels",
            with: "  train_labels: d.h5:/train/labels\n  test: d.h5:/test/images\n  test_labels: d.h5:/test/labels")
        let p = try parse(withTest + "\nevaluate:\n  expect: {accuracy: \">= 0.8\", log_loss: \"< 1.5\"}\n")
        XCTAssertEqual(p.config.evaluate.expect.count, 2)
        let acc = try XCTUnwrap(p.config.evaluate.expect.first { $0.metric == "accuracy" })
        XCTAssertTrue(acc.holds(0.8)); XCTAssertFalse(acc.holds(0.79))
        let ps = problems(withTest + "\nevaluate:\n  expect: {accuracy: \"about 0.8\", precision: \">= 1\"}\n")
        XCTAssertEqual(Set(ps.map(\.keyPath)), ["evaluate.expect.accuracy", "evaluate.expect.precision"])
    }

    /// Checks across sections are the schema's, at the line of the key they concern.
    func testGatesAndUnfreezeAreCheckedAgainstTheRestOfThePipeline() {
        let gate = problems(minimal + "\nevaluate:\n  expect: {accuracy: \">= 0.8\"}\n")
        XCTAssertEqual(gate.map(\.keyPath), ["evaluate.expect"])
        XCTAssertEqual(gate.first?.line, 8)
        XCTAssertEqual(gate.first?.message, "needs data.test and data.test_labels to measure")
        let unfreeze = problems(minimal + "\nfine_tune:\n  unfreeze: 3\n")
        XCTAssertEqual(unfreeze.map(\.keyPath), ["fine_tune.unfreeze"])
        XCTAssertEqual(unfreeze.first?.line, 8)
        XCTAssertEqual(unfreeze.first?.message, "3 layers asked, the encoder has 2")
        let withTest = minimal.replacingOccurrences(
            of: "  train_labels: d.h5:/train/labels",
            with: "  train_labels: d.h5:/train/labels\n  test: d.h5:/test/images\n  test_labels: d.h5:/test/labels")
        let auc = problems(withTest + "\nevaluate:\n  expect: {roc_auc: \">= 0.9\"}\n")
        XCTAssertEqual(auc.map(\.keyPath), ["evaluate.expect.roc_auc"])
        XCTAssertEqual(auc.first?.line, 10)
    }

    func testAMisspeltStageGetsADidYouMeanAndNoKnockOnErrors() {
        let yaml = minimal.replacingOccurrences(of: "classifier: {}", with: "classifer: {epochs: 2}\nfine_tune: {}")
        let ps = problems(yaml)
        XCTAssertEqual(ps.map(\.keyPath), ["classifer"], "fine_tune's 'needs a classifier' would only repeat it")
        XCTAssertEqual(ps.first?.message, "unknown key 'classifer' (did you mean 'classifier'?)")
        XCTAssertEqual(ps.first?.line, 6)
        let pretrain = problems(minimal.replacingOccurrences(of: "pretrain:", with: "pretrian:"))
        XCTAssertEqual(pretrain.map(\.message), ["unknown key 'pretrian' (did you mean 'pretrain'?)"])
    }

    func testCrossStageChecks() {
        XCTAssertTrue(
            problems("data: {train: 'a.h5:/x', train_labels: 'a.h5:/y'}\nclassifier: {}\nfine_tune: {}\n")
                .contains { $0.keyPath == "fine_tune" })
        XCTAssertTrue(problems("data: {train: 'a.h5:/x'}\nclassifier: {}\n").contains { $0.keyPath == "data" })
    }

    func testEmptyPretrainIsAnErrorAtItsLine() {
        // Was a pretrain stage with no layers, which crashed the run (a Network of zero layers).
        let ps = problems(minimal.replacingOccurrences(of: "pretrain:\n  layers: [32, 8]", with: "pretrain:"))
        XCTAssertEqual(ps.map(\.keyPath), ["pretrain"])
        XCTAssertEqual(ps.first?.line, 4)
        XCTAssertTrue(ps.first?.message.hasPrefix("is empty") ?? false, ps.first?.message ?? "")
        // `--set pretrain=null` drops the stage (a quick labels-only baseline), unlike an empty one in the file.
        let baseline = try? parse(minimal, ["pretrain=null"])
        XCTAssertNotNil(baseline)
        XCTAssertNil(baseline?.config.pretrain)
        XCTAssertNotNil(baseline?.config.classifier)
    }

    func testLabeledSelection() throws {
        XCTAssertEqual(try parse(minimal, ["data.labeled={per_class: 10}"]).config.data.labeled, .perClass(10))
        XCTAssertEqual(try parse(minimal, ["data.labeled={fraction: 0.5}"]).config.data.labeled, .fraction(0.5))
        XCTAssertFalse(problems(minimal, ["data.labeled={per_class: 0}"]).isEmpty)
    }

    func testDatasetRefMappingForm() throws {
        let p = try parse(minimal, ["data.test={file: t.h5, dataset: test/images}"])
        XCTAssertEqual(p.config.data.test, DatasetRef(file: "t.h5", dataset: "/test/images"))
        XCTAssertEqual(p.resolve("t.h5"), "/tmp/t.h5")
    }
}
