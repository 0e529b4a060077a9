import Foundation
import FuzzSupport
import Layerwise

// `layerwise import csv FILE.csv [--header] [--label-column N|name] [--drop-column 2]
// [--id-column 0] [--classes 0,1,M,B] -o OUT.h5`.
// Input: a flags byte (bit 0: --header; bits 1–3: 0 no label column, 1–6 the label
// column index 0–5, 7 the column named "label"; bit 4: --drop-column 2; bit 5:
// --id-column 0; bit 6: --classes 0,1,M,B), then the CSV text.

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    Seeds.writeIfAsked {
        let (x, y) = try Fixtures.images("/train", rows: 10)
        let rows = (0..<10).map { r in (0..<16).map { String(Double(x[r * 16 + $0]) / 255) }.joined(separator: ",") + ",\(y[r])" }
        let header = ((0..<16).map { "p\($0)" } + ["label"]).joined(separator: ",")
        let body = rows.joined(separator: "\n") + "\n"
        return [("plain", Data([0]) + Data(body.utf8)),
                ("label-index", Data([1 << 1]) + Data(rows.map { String($0.split(separator: ",").last!) + "," + $0.split(separator: ",").dropLast().joined(separator: ",") }.joined(separator: "\r\n").utf8)),
                ("header-name", Data([1 | 7 << 1]) + Data((header + "\n" + body).utf8)),
                ("header-only", Data([1]) + Data((header + "\n").utf8)),
                ("spaces", Data([0]) + Data(" 1.5e3 , -2,\t3\n4,5,6 \n\n".utf8)),
                // The UCI layout: an id, class names, features.
                ("names", Data([2 << 1 | 32]) + Data("842302,M,17.99,10.38\n842517,B,20.57,17.77\n84300903,M,19.69,21.25\n".utf8))]
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    defer { Fuzz.clean(keeping: []) }
    var input = InputBytes(bytes, size)
    let flags = input.byte()
    let csv = Fuzz.write(input.rest, to: "in.csv")
    let column = Int(flags >> 1 & 7)
    let label: String? = column == 0 ? nil : column == 7 ? "label" : String(column - 1)
    // The other bits: an id column, a dropped column, a class list.
    let columns = TableImporter.CSVColumns(
        label: label, header: flags & 1 != 0, drop: flags & 16 != 0 ? ["2"] : [], id: flags & 32 != 0 ? "0" : nil,
        classes: flags & 64 != 0 ? ["0", "1", "M", "B"] : nil)
    Fuzz.command("import csv") {
        _ = try TableImporter.importCSV(csv, columns: columns, output: Fuzz.path("out.h5"),
                                        group: "/train", append: false, compression: 1)
    }
    return 0
}
