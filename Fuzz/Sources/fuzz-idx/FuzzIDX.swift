import Foundation
import FuzzSupport
import Layerwise

// `layerwise import idx IMAGES LABELS -o OUT.h5 [--per-class N] [--append]`.
// Input: a flags byte (bit 0: --per-class 2; bit 1: --append --group /test to an existing
// output), the labels file's length (2 bytes, little-endian), the labels file, then the
// images file. Either may be gzip-compressed, as the real files often are.

func input(labels: Data, images: Data, flags: UInt8 = 0) -> Data {
    Data([flags]) + Data.length(labels.count, bytes: 2) + labels + images
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    Seeds.writeIfAsked {
        let (x, y) = try Fixtures.images("/train", rows: 12)
        let labels = Fixtures.idx(dims: [12], payload: y.map { UInt8($0) })
        let images = Fixtures.idx(dims: [12, 4, 4], payload: x)
        return [("plain", input(labels: labels, images: images)),
                ("per-class", input(labels: labels, images: images, flags: 1)),
                ("append", input(labels: labels, images: images, flags: 2)),
                ("gzip", input(labels: try Fixtures.gzip(labels), images: try Fixtures.gzip(images))),
                ("rank2", input(labels: labels, images: Fixtures.idx(dims: [12, 16], payload: x)))]
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    defer { Fuzz.clean(keeping: []) }
    var input = InputBytes(bytes, size)
    let flags = input.byte()
    let labels = Fuzz.write(input.take(input.length(2)), to: "labels.idx")
    let images = Fuzz.write(input.rest, to: "images.idx")
    let out = Fuzz.path("out.h5")
    let append = flags & 2 != 0
    if append {
        // An output file that already holds /train.
        do { try Fixtures.writeData(out, train: 4, test: 2) } catch { fatalError("fuzz-idx: \(error)") }
    }
    Fuzz.command("import idx") {
        _ = try IDXImporter.importIDX(images: images, labels: labels, output: out, group: append ? "/extra" : "/train",
                                      append: append, perClass: flags & 1 != 0 ? 2 : nil, compression: 1)
    }
    return 0
}
