import Foundation
import LayerwiseHDF5
import XCTest
@testable import Layerwise

/// `layerwise report`: the page's numbers are the results file's, and it renders in a
/// real browser (Debian's chromium, installed by `Scripts/bootstrap.sh --test`).
final class ReportTests: XCTestCase {
    func makeReport(
        _ folder: URL, pipeline: String = TinyData.pipeline,
        edit: ((H5Group) throws -> Void)? = nil
    ) throws -> (results: String, html: String, page: String) {
        try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(pipeline, into: folder)
        let report = try Runner.run(pipelineFile: path, options: RunOptions(threads: 1, quiet: true))
        if let edit { try edit(try H5File.open(report.resultsPath, mode: .readWrite).root) }
        let html = folder.appendingPathComponent("report.html").path
        let r = try CLI.run(["report", report.resultsPath, "-o", html])
        XCTAssertEqual(r.status, 0, r.stderr)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        // The count it prints is that of the page's sections.
        let sections = page.components(separatedBy: "<section>").count - 1
        XCTAssertEqual(r.stdout, "wrote \(html): \(sections) sections from \(report.resultsPath)\n")
        return (report.resultsPath, html, page)
    }

    /// Every 1-D float32 dataset under /metrics, by its path below /metrics.
    func curvesInFile(_ root: H5Group) throws -> [String: [Float]] {
        var found: [String: [Float]] = [:]
        func walk(_ g: H5Group, _ prefix: String) throws {
            for (name, kind) in try g.children() {
                let p = prefix.isEmpty ? name : prefix + "/" + name
                if kind == .group { try walk(g.group(name), p) }
                if kind == .dataset, try g.dataset(name).shape.count == 1, try g.dataset(name).elementType == .float32 {
                    found[p] = try g.dataset(name).read(as: Float.self)
                }
            }
        }
        try walk(root.group("metrics"), "")
        return found
    }

    func embeddedData(_ page: String) throws -> [String: Any] {
        let open = "<script type=\"application/json\" id=\"layerwise-data\">"
        let start = try XCTUnwrap(page.range(of: open)).upperBound
        let end = try XCTUnwrap(page.range(of: "</script>", range: start..<page.endIndex)).lowerBound
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(page[start..<end].utf8)) as? [String: Any])
    }

    func double(_ g: H5Group, _ name: String) throws -> Double {
        guard case .double(let d) = try g.attribute(name) else { throw InputError("\(name) is not a double") }
        return d
    }

    func testNumbersInThePageAreTheFilesNumbers() throws {
        let folder = try TinyData.folder(self)
        let (results, _, page) = try makeReport(folder)
        let data = try embeddedData(page)
        let root = try H5File.open(results).root

        // Metrics: the JSON and the table cell both carry the file's value.
        let metrics = try XCTUnwrap(data["metrics"] as? [String: Any])
        let accuracy = try double(root.group("metrics/test"), "accuracy")
        XCTAssertEqual(metrics["test accuracy"] as? Double ?? -1, accuracy, accuracy: 1e-12)
        XCTAssertEqual(metrics["test log_loss"] as? Double ?? -1, try double(root.group("metrics/test"), "log_loss"), accuracy: 1e-12)
        XCTAssertTrue(page.contains(">\(String(format: "%.4f", accuracy))</td>"), "accuracy cell")

        // Confusion matrix: JSON and every cell of the HTML table, row by row.
        let cm = try root.dataset("metrics/test/confusion_matrix").read(as: Int64.self)
        let json = try XCTUnwrap(data["confusion_matrix"] as? [[Int]])
        XCTAssertEqual(json.flatMap { $0 }.map(Int64.init), cm)
        let table = try XCTUnwrap(page.range(of: "id=\"confusion\"")).upperBound
        let tableEnd = try XCTUnwrap(page.range(of: "</table>", range: table..<page.endIndex)).lowerBound
        let cells = page[table..<tableEnd].components(separatedBy: "<td").dropFirst().compactMap { cell -> Int64? in
            guard let gt = cell.firstIndex(of: ">"), let lt = cell.firstIndex(of: "<") else { return nil }
            return Int64(cell[cell.index(after: gt)..<lt])
        }
        XCTAssertEqual(cells, cm)

        // Curves: every 1-D float dataset under /metrics, with the file's values.
        let want = try curvesInFile(root)
        let curves = try XCTUnwrap(data["curves"] as? [String: [Double]])
        XCTAssertEqual(Set(curves.keys), Set(want.keys))
        XCTAssertTrue(want.keys.contains("pretrain/layer_0/loss") && want.keys.contains("fine_tune/val_accuracy"))
        for (k, v) in want { XCTAssertEqual(curves[k]?.map(Float.init), v, k) }

        // PCA: points are the projections of the stored embeddings on the stored
        // components, and those are the covariance's top eigenvectors (numpy's eigh).
        let pca = try XCTUnwrap(data["pca"] as? [String: Any])
        let mean = try XCTUnwrap(pca["mean"] as? [Double]), comps = try XCTUnwrap(pca["components"] as? [[Double]])
        let rows = try XCTUnwrap(pca["rows"] as? [Int]), points = try XCTUnwrap(pca["points"] as? [[Double]])
        let e = try root.dataset("embeddings/test")
        let codes = try e.read(as: Float.self), d = e.shape[1]
        XCTAssertEqual(rows.count, e.shape[0])  // 200 rows: all drawn
        for (i, r) in rows.enumerated() where i % 37 == 0 {
            for c in 0..<2 {
                let p = (0..<d).reduce(0.0) { $0 + (Double(codes[r * d + $1]) - mean[$1]) * comps[c][$1] }
                XCTAssertEqual(points[i][c], p, accuracy: 1e-9)
            }
        }
        let labels = try XCTUnwrap(pca["labels"] as? [Int])
        let truth = try root.dataset("data/test_labels").read(as: Int64.self)
        XCTAssertEqual(labels, rows.map { Int(truth[$0]) })
        XCTAssertEqual(pca["label_source"] as? String, "true")
        let script = """
            import h5py, json, numpy as np, sys
            e = h5py.File(sys.argv[1])["embeddings/test"][:].astype(np.float64)
            w, v = np.linalg.eigh(np.cov(e, rowvar=False))
            print(json.dumps({"values": w[::-1][:2].tolist(), "vectors": v[:, ::-1][:, :2].T.tolist(), "mean": e.mean(0).tolist()}))
            """
        let py = try CLI.python(["-c", script, results])
        XCTAssertEqual(py.status, 0, "python3 with numpy and h5py (Scripts/bootstrap.sh --test): \(py.stderr)")
        let ref = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(py.stdout.utf8)) as? [String: Any])
        let refValues = try XCTUnwrap(ref["values"] as? [Double]), refVectors = try XCTUnwrap(ref["vectors"] as? [[Double]])
        let variances = try XCTUnwrap(pca["variances"] as? [Double])
        for c in 0..<2 {
            XCTAssertEqual(variances[c], refValues[c], accuracy: 1e-6 * refValues[0])
            let cosine = abs(zip(comps[c], refVectors[c]).reduce(0.0) { $0 + $1.0 * $1.1 })
            XCTAssertEqual(cosine, 1, accuracy: 1e-6, "component \(c) is numpy's eigenvector up to sign")
        }
        for (a, b) in zip(mean, try XCTUnwrap(ref["mean"] as? [Double])) { XCTAssertEqual(a, b, accuracy: 1e-9) }

        // Anomaly histograms: counts over the stated edges (numpy's rule: [a, b), last bin closed).
        let hist = try XCTUnwrap(data["anomaly_histograms"] as? [String: Any])
        let edges = try XCTUnwrap(hist["edges"] as? [Double])
        let counts = try XCTUnwrap(hist["counts"] as? [String: [Int]])
        XCTAssertEqual(hist["threshold"] as? Double ?? -1, try double(root.group("anomaly"), "threshold"), accuracy: 1e-12)
        for name in ["train_error", "test_error"] {
            let values = try root.dataset("anomaly/\(name)").read(as: Float.self).map(Double.init)
            let got = try XCTUnwrap(counts[name])
            XCTAssertEqual(got.reduce(0, +), values.count, name)
            let direct = (0..<(edges.count - 1)).map { i in
                values.filter { $0 >= edges[i] && ($0 < edges[i + 1] || (i == edges.count - 2 && $0 <= edges[i + 1])) }.count
            }
            // Binning by arithmetic may put a value sitting on an edge into the neighbouring bin.
            XCTAssertLessThanOrEqual(zip(got, direct).reduce(0) { $0 + abs($1.0 - $1.1) }, 2, name)
        }

        // Inputs above reconstructions: 16 + 16 pictures, and the pipeline text, escaped.
        XCTAssertEqual(page.components(separatedBy: "src=\"data:image/png;base64,").count - 1, 32)
        XCTAssertTrue(page.contains("model: denoising"))
        // Self-contained: no stylesheet, script, font or picture fetched (SVG's xmlns is a name, not a fetch).
        for fetch in ["<link", "<script src", "src=\"http", "src=\"//", "href=\"http", "@import", "url("] {
            XCTAssertFalse(page.contains(fetch), "the page loads \(fetch)")
        }
    }

    func testRendersInChromium() throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium else { return XCTFail("chromium is not installed (Scripts/bootstrap.sh --test installs it)") }
        let folder = try TinyData.folder(self)
        let (_, html, _) = try makeReport(folder)
        let shot = folder.appendingPathComponent("shot.png").path
        let browser = try CLI.launch(
            URL(fileURLWithPath: chromium),
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--screenshot=\(shot)",
                "--window-size=1200,3000", "file://\(html)"
            ])
        XCTAssertEqual(browser.status, 0, browser.stderr)
        let stats = try CLI.python([TinyData.repoRoot.appendingPathComponent("Scripts/png-stats.py").path, shot])
        XCTAssertEqual(stats.status, 0, stats.stderr)
        var values: [String: Double] = [:]
        for line in stats.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count >= 2 { values[String(parts[0])] = Double(parts[parts.count - 1]) }
        }
        // A blank page is white (ink 0, one colour); the report has tables, curves, pictures, a coloured scatter.
        XCTAssertGreaterThan(values["ink"] ?? 0, 0.02, stats.stdout)
        XCTAssertGreaterThan(values["colours"] ?? 0, 50, stats.stdout)
    }

    /// A results file, a data file, a missing file, a truncated results file, not HDF5 at all.
    func testNotAResultsFileIsOneErrorLineNamingItAndNoPage() throws {
        let folder = try TinyData.folder(self)
        let data = try TinyData.write(into: folder)
        let path = try TinyData.writePipeline(into: folder)
        let results = try Runner.run(pipelineFile: path, options: RunOptions(threads: 1, quiet: true)).resultsPath
        let truncated = folder.appendingPathComponent("truncated.h5").path
        try FileManager.default.contents(atPath: results)?.prefix(4096).write(to: URL(fileURLWithPath: truncated))
        let text = folder.appendingPathComponent("text.h5").path
        try "not HDF5\n".write(toFile: text, atomically: true, encoding: .utf8)
        let html = folder.appendingPathComponent("r.html").path
        for bad in [data, folder.appendingPathComponent("none.h5").path, truncated, text] {
            let r = try CLI.run(["report", bad, "-o", html])
            XCTAssertEqual(r.status, 2, bad)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("error: ") && r.stderr.contains(bad), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: html), bad)
        }
        // The same results file, whole, makes a page: the failures above were the files'.
        XCTAssertEqual(try CLI.run(["report", results, "-o", html]).status, 0)
    }

    /// A run without classifier, fine-tuning, anomaly scores or test labels: those sections are left out.
    func testAPretrainOnlyRunLeavesOutWhatItLacks() throws {
        let pipeline = """
            name: "tiny <b>pretrain</b> & co"
            seed: 5
            data:
              train: tiny.h5:/train/images
              test: tiny.h5:/test/images
            pretrain:
              layers: [32, 8]
              epochs: 2
              batch_size: 64
            output:
              results: out/results.h5
            """
        let folder = try TinyData.folder(self)
        let (results, _, page) = try makeReport(folder, pipeline: pipeline)
        let data = try embeddedData(page)
        let root = try H5File.open(results).root
        XCTAssertFalse(root.exists("metrics/test") || root.exists("anomaly"), "the run itself has no test metrics or anomaly scores")
        XCTAssertNil(data["confusion_matrix"])
        XCTAssertNil(data["anomaly_histograms"])
        XCTAssertEqual((data["metrics"] as? [String: Any])?.count, 0)
        for absent in ["id=\"confusion\"", "<h2>Metrics", "<h2>Anomaly", "<h2>Confusion"] {
            XCTAssertFalse(page.contains(absent), absent)
        }
        let curves = try XCTUnwrap(data["curves"] as? [String: [Double]])
        XCTAssertEqual(Set(curves.keys), ["pretrain/layer_0/loss", "pretrain/layer_1/loss"])
        for (k, v) in try curvesInFile(root) { XCTAssertEqual(curves[k]?.map(Float.init), v, k) }
        // One chart per curve; the PCA scatter is there, uncoloured and without a legend.
        XCTAssertEqual(page.components(separatedBy: "<polyline").count - 1, 2)
        let pca = try XCTUnwrap(data["pca"] as? [String: Any])
        XCTAssertEqual(pca["label_source"] as? String, "none")
        XCTAssertEqual((pca["rows"] as? [Int])?.count, try root.dataset("embeddings/test").shape[0])
        XCTAssertTrue(page.contains("no class labels in the file"))
        XCTAssertFalse(page.contains("<div class=\"legend\"><span>"))
        // The name, in the title, heading and pipeline text, is text and not markup.
        XCTAssertFalse(page.contains("<b>"))
        XCTAssertEqual(page.components(separatedBy: "tiny &lt;b&gt;pretrain&lt;/b&gt; &amp; co").count - 1, 3, "title, h1, pipeline")
    }

    /// 12 features are not a square picture: each reconstructed row is one chart with its
    /// input and its reconstruction as two lines of 12 points.
    func testFeaturesThatAreNotAPictureAreDrawnAsLines() throws {
        let folder = try TinyData.folder(self)
        let f = try H5File.create(folder.appendingPathComponent("features.h5").path)
        var rng = SystemRandomNumberGenerator()
        try f.root.write("train", (0..<(300 * 12)).map { _ in Float.random(in: -1...1, using: &rng) }, shape: [300, 12])
        try f.root.write("test", (0..<(40 * 12)).map { _ in Float.random(in: -1...1, using: &rng) }, shape: [40, 12])
        try f.flush()
        let pipeline = """
            name: features
            data: {train: features.h5:/train, test: features.h5:/test, scale: standardize}
            pretrain: {layers: [6, 3], epochs: 2}
            output: {results: out/results.h5}
            """
        let path = try TinyData.writePipeline(pipeline, into: folder)
        let results = try Runner.run(pipelineFile: path, options: RunOptions(threads: 1, quiet: true)).resultsPath
        let html = folder.appendingPathComponent("report.html").path
        XCTAssertEqual(try CLI.run(["report", results, "-o", html]).status, 0)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        let k = try H5File.open(results).root.dataset("reconstructions/test").shape[0]
        XCTAssertGreaterThan(k, 0)
        XCTAssertFalse(page.contains("data:image/png"))
        let start = try XCTUnwrap(page.range(of: "<h2>Test inputs and their reconstructions</h2>")).upperBound
        let section = page[start..<(try XCTUnwrap(page.range(of: "</section>", range: start..<page.endIndex)).lowerBound)]
        XCTAssertEqual(section.components(separatedBy: "<svg").count - 1, k)
        let lines = section.components(separatedBy: "<polyline points=\"").dropFirst()
        XCTAssertEqual(lines.count, 2 * k, "input and reconstruction per row")
        for l in lines { XCTAssertEqual(l.prefix { $0 != "\"" }.split(separator: " ").count, 12) }
    }

    /// NaN/Inf in a curve or an embedding (a file from a run gone bad, or edited): the page
    /// is still made; JSON gets null, and the PCA is fitted on the finite rows only.
    func testNonFiniteValuesBecomeNullAndLeaveThePCA() throws {
        let folder = try TinyData.folder(self)
        var badRow = 0, d = 0
        let (results, _, page) = try makeReport(folder) { root in
            try root.dataset("metrics/classifier/val_loss").writeRows(2..<3, [Float.nan])
            let e = try root.dataset("embeddings/test")
            (badRow, d) = (5, e.shape[1])
            try e.writeRows(badRow..<(badRow + 1), [Float](repeating: .infinity, count: d))
        }
        let data = try embeddedData(page)
        let curves = try XCTUnwrap(data["curves"] as? [String: Any])
        let valLoss = try XCTUnwrap(curves["classifier/val_loss"] as? [Any])
        XCTAssertTrue(valLoss[2] is NSNull, "\(valLoss)")
        let file = try H5File.open(results).root.dataset("metrics/classifier/val_loss").read(as: Float.self)
        XCTAssertEqual(valLoss.count, file.count)
        // The curve is float32: the page's number must read back as the same Float (JSONSerialization
        // prints a Double with 16 significant digits, which need not give back the Double itself).
        XCTAssertEqual((valLoss[3] as? Double).map(Float.init), file[3])

        let e = try H5File.open(results).root.dataset("embeddings/test")
        let n = e.shape[0], codes = try e.read(as: Float.self)
        let pca = try XCTUnwrap(data["pca"] as? [String: Any])
        let rows = try XCTUnwrap(pca["rows"] as? [Int]), mean = try XCTUnwrap(pca["mean"] as? [Double])
        XCTAssertEqual(rows, (0..<n).filter { $0 != badRow })
        // The mean is that of the finite rows.
        for j in 0..<d {
            let m = rows.reduce(0.0) { $0 + Double(codes[$1 * d + j]) } / Double(rows.count)
            XCTAssertEqual(mean[j], m, accuracy: 1e-9 * max(1, abs(m)))
        }
        XCTAssertTrue(page.contains("1 with NaN/Inf left out"))
    }
}
