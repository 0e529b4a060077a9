import Foundation
import FuzzSupport
import Layerwise

// A results file as the commands that read one read it: `encode`, `predict`, `score`
// (on a fixed input of 16 features), `report`, `compare`, `export keras`.

nonisolated(unsafe) var input = ""

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    Seeds.writeIfAsked {
        try Fixtures.resultsPipelines.map { name, changes in
            let r = try Fixtures.run(Fixtures.pipeline(changes), in: Fuzz.folder.appendingPathComponent("run-\(name)"))
            return ("\(name).h5", try Data(contentsOf: URL(fileURLWithPath: r)))
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    if input.isEmpty {
        do { try Fixtures.writeData(Fuzz.path("input.h5"), train: 8, test: 4) } catch { fatalError("fuzz-h5-results: \(error)") }
        input = Fuzz.path("input.h5") + ":/test/images"
    }
    defer { Fuzz.clean(keeping: ["input.h5"]) }
    let results = Fuzz.write(InputBytes(bytes, size).rest, to: "results.h5")
    for kind in [Apply.Kind.encode, .predict, .score] {
        Fuzz.command(kind.rawValue) { _ = try Apply.run(kind, results: results, input: input, output: Fuzz.path("out.h5"), threads: 1) }
    }
    Fuzz.command("report") { _ = try HTMLReport.run(results: results, output: Fuzz.path("report.html")) }
    Fuzz.command("compare") {
        let c = try Comparison(paths: [results, results])
        _ = (c.table, c.markdown, c.json)
    }
    Fuzz.command("export keras") { _ = try KerasExport.run(results: results, output: Fuzz.path("k.weights.h5")) }
    return 0
}
