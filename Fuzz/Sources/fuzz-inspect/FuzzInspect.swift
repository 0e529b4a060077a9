import Foundation
import FuzzSupport
import Layerwise

// `layerwise inspect FILE.h5`: any HDF5 file.

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    Seeds.writeIfAsked {
        var seeds: [(String, Data)] = []
        for v in Fixtures.Variant.allCases {
            let p = Fuzz.path("seed.h5")
            try Fixtures.writeData(p, v, train: 8, test: 4)
            seeds.append(("data-\(v).h5", try Data(contentsOf: URL(fileURLWithPath: p))))
        }
        for (name, changes) in Fixtures.resultsPipelines.prefix(3) {
            let r = try Fixtures.run(Fixtures.pipeline(changes), in: Fuzz.folder.appendingPathComponent("run-\(name)"))
            seeds.append(("results-\(name).h5", try Data(contentsOf: URL(fileURLWithPath: r))))
        }
        return seeds
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let file = Fuzz.write(InputBytes(bytes, size).rest, to: "in.h5")
    Fuzz.command("inspect") { _ = try inspect(path: file) }
    return 0
}
