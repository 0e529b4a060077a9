import XCTest
@testable import Layerwise

/// Progress output: bars that redraw in place on a terminal, one plain line per epoch elsewhere.
typealias Progress = Layerwise.Progress

final class ProgressTests: XCTestCase {
    final class Sink { var text = "" }

    func drive(_ style: Progress.Style, epochs: Int = 2, batches: Int = 4) -> String {
        let sink = Sink()
        let p = Progress(quiet: false, style: style, redrawInterval: 0) { sink.text += $0 }
        for e in 1...epochs {
            p.begin("pretrain layer 1/1", e, of: epochs, samples: batches * 10)
            for b in 1...batches { p.tick(b * 10) }
            p.epoch("pretrain layer 1/1", e, of: epochs, values: [("loss", 0.5)], samplesPerSecond: 100)
        }
        p.note("done")
        return sink.text
    }

    func testPlainOutputIsOneLinePerEpochWithoutCarriageReturns() {
        let text = drive(.plain)
        XCTAssertFalse(text.contains("\r"))
        XCTAssertEqual(
            text.split(separator: "\n").map(String.init),
            [
                "[pretrain layer 1/1] epoch 1/2  loss 0.5000  100 samples/s",
                "[pretrain layer 1/1] epoch 2/2  loss 0.5000  100 samples/s",
                "done"
            ])
    }

    func testBarRedrawsInPlaceAndLeavesOneLinePerEpoch() {
        let text = drive(.bar)
        // Every tick is a frame that erases the line first; the epoch line replaces the last frame.
        XCTAssertEqual(text.components(separatedBy: "\r\u{1B}[2K").count - 1, 2 * (4 + 1))
        XCTAssertTrue(text.contains("[pretrain layer 1/1] epoch 1/2 [######------------------] 10/40"), text)
        XCTAssertTrue(text.contains("ETA"))
        let lines = text.split(separator: "\n").map { $0.components(separatedBy: "\r\u{1B}[2K").last ?? "" }
        XCTAssertEqual(
            lines,
            [
                "[pretrain layer 1/1] epoch 1/2  loss 0.5000  100 samples/s",
                "[pretrain layer 1/1] epoch 2/2  loss 0.5000  100 samples/s", "done"
            ])
    }

    func testLongStagesPrintTheFirstEveryKthAndTheLastEpoch() {
        XCTAssertEqual((1...20).filter { Progress.shows($0, of: 20) }.count, 20)
        XCTAssertEqual(Progress.interval(50), 5)
        XCTAssertEqual(Progress.interval(167), 20)
        XCTAssertEqual(Progress.interval(250), 50)
        XCTAssertEqual((1...167).filter { Progress.shows($0, of: 167) }, [1, 20, 40, 60, 80, 100, 120, 140, 160, 167])
        let text = drive(.plain, epochs: 50, batches: 1)
        XCTAssertEqual(text.split(separator: "\n").count, 11 + 1, text)
        XCTAssertTrue(text.hasPrefix("[pretrain layer 1/1] epoch 1/50 "), text)
        XCTAssertTrue(text.contains("[pretrain layer 1/1] epoch 50/50 "), text)
        XCTAssertFalse(text.contains("epoch 2/50"), text)
    }

    func testABarLeftByASkippedEpochIsErasedByTheNextLine() {
        let text = drive(.bar, epochs: 30, batches: 2)
        let lines = text.split(separator: "\n").map { $0.components(separatedBy: "\r\u{1B}[2K").last ?? "" }
        XCTAssertEqual(lines.count, 7 + 1, text)
        for l in lines.dropLast() { XCTAssertTrue(l.hasPrefix("[pretrain layer 1/1] epoch ") && l.hasSuffix("samples/s"), l) }
    }

    func testQuietWritesNothing() {
        let sink = Sink()
        let p = Progress(quiet: true, style: .bar, redrawInterval: 0) { sink.text += $0 }
        p.begin("s", 1, of: 1, samples: 10); p.tick(5); p.epoch("s", 1, of: 1, values: [], samplesPerSecond: 1); p.note("x")
        XCTAssertEqual(sink.text, "")
    }

    func testETACoversTheRestOfTheStage() {
        // 100 of 400 rows in 1 s, epoch 1 of 3: (300 + 2·400) rows at 100 rows/s = 11 s.
        let line = Progress.barLine(stage: "s", epoch: 1, of: 3, done: 100, samples: 400, seconds: 1)
        XCTAssertEqual(line, "[s] epoch 1/3 [######------------------] 100/400  100 samples/s  ETA 0:11")
        XCTAssertEqual(Progress.clock(3725), "1:02:05")
    }
}
