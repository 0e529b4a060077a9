import Foundation
import FuzzSupport
import Layerwise

// `layerwise import npy FILE.npy [--labels L.npy] -o OUT.h5`.
// Input: a flags byte (bit 0: with --labels), the features file's length (4 bytes,
// little-endian), the features file, then the labels file.

func input(features: Data, labels: Data?) -> Data {
    Data([labels == nil ? 0 : 1]) + Data.length(features.count, bytes: 4) + features + (labels ?? Data())
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    Seeds.writeIfAsked {
        let (x, y) = try Fixtures.images("/train", rows: 8)
        let floats = x.map { Float($0) / 255 }.withUnsafeBytes { Data($0) }
        let u1 = Fixtures.npy(descr: "|u1", shape: [8, 16], payload: Data(x))
        let f4 = Fixtures.npy(descr: "<f4", shape: [8, 4, 4], payload: floats)
        let f8 = Fixtures.npy(descr: "<f8", shape: [8, 16], payload: x.map { Double($0) }.withUnsafeBytes { Data($0) })
        let i8 = Fixtures.npy(descr: "<i8", shape: [8], payload: y.withUnsafeBytes { Data($0) })
        let labelsF8 = Fixtures.npy(descr: "<f8", shape: [8, 1], payload: y.map { Double($0) }.withUnsafeBytes { Data($0) })
        let i2 = Fixtures.npy(descr: "<i2", shape: [16], payload: x.prefix(16).map { Int16($0) - 128 }.withUnsafeBytes { Data($0) })
        var v2 = u1
        v2[6] = 2   // format 2.0: a 4-byte header length
        v2.replaceSubrange(8..<10, with: Data.length(Int(u1[8]) | Int(u1[9]) << 8, bytes: 4))
        return [("u1", input(features: u1, labels: nil)), ("f4-labels", input(features: f4, labels: i8)),
                ("f8-float-labels", input(features: f8, labels: labelsF8)), ("i2", input(features: i2, labels: nil)),
                ("v2", input(features: v2, labels: i8))]
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    defer { Fuzz.clean(keeping: []) }
    var input = InputBytes(bytes, size)
    let flags = input.byte()
    let features = Fuzz.write(input.take(input.length(4)), to: "x.npy")
    let labels = flags & 1 != 0 ? Fuzz.write(input.rest, to: "y.npy") : nil
    Fuzz.command("import npy") {
        _ = try TableImporter.importNPY(features, labels: labels, output: Fuzz.path("out.h5"), group: "/train",
                                        append: false, compression: 1)
    }
    return 0
}
