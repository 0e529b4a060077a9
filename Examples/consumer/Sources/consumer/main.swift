// Trains Layerwise on arrays a program already holds: a numeric CSV (header line, one
// row per sample, the class in the last column), of which a few rows per class keep
// their labels and the rest are unlabeled; the last fifth is held out as the test set.
//
// usage: consumer TABLE.csv [LABELS_PER_CLASS]
import Foundation
import Layerwise

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(2)
}

let args = CommandLine.arguments.dropFirst()
guard let path = args.first, let text = try? String(contentsOfFile: path, encoding: .utf8) else {
    fail("usage: consumer TABLE.csv [LABELS_PER_CLASS] (a readable CSV file)")
}
let perClass = args.dropFirst().first.flatMap { Int($0) } ?? 10

// Parse: every field a number, the last one the class.
var features: [[Float]] = []
var classes: [Int32] = []
for (n, line) in text.split(separator: "\n").dropFirst().enumerated() {
    let fields = line.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
    guard fields.count >= 2, let label = fields.last!, fields.allSatisfy({ $0 != nil }) else {
        fail("\(path): line \(n + 2) is not all numbers")
    }
    features.append(fields.dropLast().map { $0! })
    classes.append(Int32(label))
}

let testStart = features.count * 4 / 5
var labels = Array(classes[..<testStart])
var kept: [Int32: Int] = [:]
for i in labels.indices {  // the first `perClass` rows of each class keep their label
    kept[labels[i], default: 0] += 1
    if kept[labels[i]]! > perClass { labels[i] = -1 }
}

do {
    let data = InMemoryData(
        train: try FeatureMatrix(Array(features[..<testStart])), trainLabels: labels,
        test: try FeatureMatrix(Array(features[testStart...])), testLabels: Array(classes[testStart...]))
    let pipeline = try Pipeline(
        yaml: """
            seed: 0
            pretrain: {layers: [64, 32], model: denoising}
            classifier: {hidden: [32]}
            fine_tune: {}
            """, data: data, name: "consumer")
    let run = try pipeline.train()
    let accuracy = run.metrics["accuracy"] ?? .nan
    let predicted = try run.predict(try FeatureMatrix(Array(features[testStart...])))
    let agree = zip(predicted.classes, classes[testStart...]).filter { $0 == Int($1) }.count
    print(
        "layerwise \(layerwiseVersion): \(labels.filter { $0 >= 0 }.count) labeled of \(testStart) training rows, "
            + "test accuracy \(String(format: "%.4f", accuracy)) (\(agree) of \(predicted.classes.count) predicted right)")
    if let out = args.dropFirst(2).first { print("results: \(try run.save(to: out))") }
} catch {
    fail("\(error)")
}
