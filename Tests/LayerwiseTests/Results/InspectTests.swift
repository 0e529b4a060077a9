import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// `layerwise inspect`: one line per object, attributes under their object, columns aligned.
final class InspectTests: XCTestCase {
    func testTreeWithShapesLayoutsAndAttributes() throws {
        let dir = try TinyData.folder(self)
        let path = dir.appendingPathComponent("i.h5").path
        do {
            let root = try H5File.create(path).root
            try root.setAttribute("format", "layerwise-results")
            try root.setAttribute("pipeline", "name: x\nseed: 1\n")
            let layer = try root.createGroup("model/encoder/layer_0")
            let kernel = try layer.write("kernel", [Float](repeating: 0.5, count: 784 * 16), shape: [784, 16], compression: 4)
            try kernel.setAttribute("activation", "relu")
            try layer.write("bias", [Float](repeating: 0, count: 16), shape: [16])
            try root.createGroup("metrics").setAttribute("accuracy", 0.8128)
            try root.group("metrics").setAttribute("sizes", (0..<20).map(Int64.init))
        }
        let text = try inspect(path: path)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix(path + " ("), lines[0])
        XCTAssertEqual(
            Array(lines[1...]),
            [
                "/",
                "  @format = \"layerwise-results\"",
                "  @pipeline = \"name: x … (3 lines)\"",
                "  metrics/",
                "    @accuracy = 0.8128",
                "    @sizes = [0, 1, 2, 3, 4, 5, 6, 7, … (20 values)]",
                "  model/",
                "    encoder/",
                "      layer_0/",
                "        bias    float32  [16]       contiguous                       64 B",
                "        kernel  float32  [784, 16]  chunks [784, 16] shuffle gzip 4  49.0 KiB → " + lines[lines.count - 2].components(
                    separatedBy: "→ "
                ).last!,
                "          @activation = \"relu\""
            ], text)
    }

    func testThroughTheCLI() throws {
        let r = try CLI.run(["inspect", TinyData.shipped])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("    images        uint8  [5000, 784]  chunks [1337, 784] shuffle gzip 9"), r.stdout)
        XCTAssertTrue(r.stdout.contains("    @selection = \"first 500 samples of each class, in file order\""), r.stdout)
        XCTAssertEqual(r.stderr, "")
    }
}
