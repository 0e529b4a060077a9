import Foundation
import LayerwiseHDF5

/// `layerwise report RESULTS.h5 -o report.html`: one self-contained HTML page (inline
/// CSS, inline SVG figures, PNG pictures as data URIs; no scripts, nothing fetched)
/// drawn from the results file alone.
///
/// Sections, each present only when the file has its data: the run and its test (and
/// anomaly) metrics, learning curves (every 1-D float dataset under /metrics), the
/// confusion matrix, inputs above their reconstructions, a PCA projection of the test
/// embeddings coloured by true class (predicted class when the true ones are not
/// stored), histograms of the anomaly scores with the threshold, and the pipeline.
///
/// The numbers behind every figure are also embedded as JSON in
/// `<script type="application/json" id="layerwise-data">`, so they can be checked
/// against the file.
public enum HTMLReport {
    /// Most points drawn in the PCA view (evenly spaced test rows); the projection itself uses all rows.
    static let maxPoints = 2000
    static let bins = 40
    /// Largest confusion matrix drawn, in classes.
    static let maxClasses = 256
    /// Widest codes projected by PCA.
    static let maxPCADimensions = 1024

    /// Writes the report of the run in `results` to `output` and returns the message to print.
    public static func run(results: String, output: String) throws -> String {
        let root = try ResultsFile.open(results)
        var data: [String: Any] = [:]
        var sections: [String] = []
        sections.append(try overview(root, results, &data))
        if let s = try curves(root, &data) { sections.append(s) }
        if let s = try confusion(root, &data) { sections.append(s) }
        if let s = try reconstructions(root, &data) { sections.append(s) }
        if let s = try embeddings(root, &data) { sections.append(s) }
        if let s = try anomaly(root, &data) { sections.append(s) }
        if case .string(let yaml)? = try? root.attribute("pipeline") {
            sections.append("<section><h2>Pipeline</h2><pre>\(SVG.escape(yaml))</pre></section>")
        }
        let json: Data
        do { json = try JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]) } catch {
            throw InputError("\(results): cannot embed the figures' data as JSON (a value JSON cannot hold)")
        }
        // "</" cannot end the script element early: JSON allows "<\/".
        let jsonText = String(decoding: json, as: UTF8.self).replacingOccurrences(of: "</", with: "<\\/")
        let title = SVG.escape(name(root))
        let page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Layerwise report — \(title)</title>
            <style>
            body{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:24px;color:#222;background:#fff}
            h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
            .sub{color:#666;font-size:13px} .grid{display:flex;flex-wrap:wrap;gap:10px}
            table{border-collapse:collapse;font-size:13px} td,th{border:1px solid #ddd;padding:3px 7px;text-align:right}
            th{background:#f4f4f4} td.k{text-align:left}
            table.cm td{min-width:34px} pre{background:#f7f7f7;padding:10px;font-size:12px;overflow:auto}
            svg text.t{font-size:13px;font-weight:600} svg text.l{font-size:10px;fill:#555} svg line.ax{stroke:#888}
            img.px{image-rendering:pixelated;width:56px;height:56px;border:1px solid #ccc}
            .legend span{display:inline-block;margin-right:10px;font-size:12px}
            .legend i{display:inline-block;width:10px;height:10px;margin-right:3px;border-radius:5px}
            </style></head><body>
            \(sections.joined(separator: "\n"))
            <script type="application/json" id="layerwise-data">\(jsonText)</script>
            </body></html>
            """
        try writeTextAtomically(page, to: output, inputs: [results])
        // Counted on the page itself: one of the parts above may hold more than one section.
        let count = page.components(separatedBy: "<section").count - 1
        return "wrote \(output): \(count) sections from \(results)"
    }

    static func name(_ root: H5Group) -> String {
        if case .string(let n)? = try? root.attribute("pipeline_name") { return n }
        return "results"
    }

    static func attributes(_ g: H5Group) throws -> [(String, H5AttributeValue)] {
        try g.attributeNames().compactMap { n in (try? g.attribute(n)).map { (n, $0) } }
    }

    static func plain(_ v: H5AttributeValue) -> Any? {
        switch v {
        case .int(let i): return i
        case .double(let d): return d.isFinite ? d : nil
        case .string(let s): return s
        default: return nil
        }
    }

    /// JSON has no NaN or infinity: a diverged epoch's value is embedded as null.
    static func jsonNumber(_ v: Double) -> Any { v.isFinite ? v : NSNull() }

    static func display(_ v: H5AttributeValue) -> String {
        switch v {
        case .double(let d): return SVG.number(d)
        case .string(let s): return s
        default: return v.description
        }
    }

    // MARK: Sections

    static func overview(_ root: H5Group, _ path: String, _ out: inout [String: Any]) throws -> String {
        var rows: [(String, String)] = []
        for key in ["layerwise_version", "created", "seed"] {
            if let v = try? root.attribute(key) { rows.append((key, display(v))) }
        }
        if root.exists("data") {
            for (k, v) in try attributes(root.group("data")) { rows.append(("data \(k)", display(v))) }
        }
        var html = "<h1>\(SVG.escape(name(root)))</h1><div class=\"sub\">\(SVG.escape(path))</div>"
        html +=
            "<section><h2>Run</h2><table>"
            + rows.map { "<tr><td class=\"k\">\(SVG.escape($0.0))</td><td>\(SVG.escape($0.1))</td></tr>" }.joined() + "</table></section>"
        var metrics: [(String, H5AttributeValue)] = []
        if root.exists("metrics/test") { metrics += try attributes(root.group("metrics/test")).map { ("test \($0.0)", $0.1) } }
        // Each baseline on the same labeled rows (the gain over the stronger is in the test metrics).
        for b in Baseline.allCases where root.exists("metrics/baseline/\(b.rawValue)") {
            metrics += try attributes(root.group("metrics/baseline/\(b.rawValue)")).map { ("\(b.title) \($0.0)", $0.1) }
        }
        if root.exists("anomaly") {
            metrics += try attributes(root.group("anomaly")).filter { ["roc_auc", "average_precision", "threshold"].contains($0.0) }
                .map { ("anomaly \($0.0)", $0.1) }
        }
        var json: [String: Any] = [:]
        for (k, v) in metrics { json[k] = plain(v) }
        out["metrics"] = json
        guard !metrics.isEmpty else { return html }
        html +=
            "<section><h2>Metrics</h2><table id=\"metrics\">"
            + metrics.map {
                "<tr><td class=\"k\">\(SVG.escape($0.0))</td><td data-value=\"\(plain($0.1).map { "\($0)" } ?? "")\">\(SVG.escape(display($0.1)))</td></tr>"
            }.joined() + "</table></section>"
        return html
    }

    static func curves(_ root: H5Group, _ out: inout [String: Any]) throws -> String? {
        let found = try ResultsFile.curves(root)
        guard !found.isEmpty else { return nil }
        out["curves"] = Dictionary(uniqueKeysWithValues: found.map { ($0.0, $0.1.map { jsonNumber(Double($0)) }) })
        return "<section><h2>Learning curves</h2><div class=\"grid\">" + found.map { SVG.curve($0.0, $0.1) }.joined() + "</div></section>"
    }

    static func confusion(_ root: H5Group, _ out: inout [String: Any]) throws -> String? {
        guard root.exists("metrics/test/confusion_matrix") else { return nil }
        let d = try root.dataset("metrics/test/confusion_matrix")
        guard d.shape.count == 2, d.shape[0] == d.shape[1] else { return nil }
        let c = d.shape[0]
        // Class labels are < 65,536, but a table of thousands of classes is no figure (and a
        // corrupt shape would make one of gigabytes): beyond maxClasses it is left out.
        guard c <= maxClasses else {
            return
                "<section><h2>Confusion matrix</h2><div class=\"sub\">\(c) classes: too many to draw (the matrix is /metrics/test/confusion_matrix)</div></section>"
        }
        let m = try d.read(as: Int64.self)
        let cells = (0..<c).map { r in Array(m[(r * c)..<((r + 1) * c)]) }
        out["confusion_matrix"] = cells
        var html =
            "<section><h2>Confusion matrix (test; rows: true class, columns: predicted)</h2><table class=\"cm\" id=\"confusion\"><tr><th></th>"
        // Class names (`/data@class_names`) where the labels had them, else the class numbers.
        var names = (0..<c).map(String.init)
        if root.exists("data"), case .strings(let n)? = try? root.group("data").attribute("class_names"), n.count == c {
            names = n
            out["class_names"] = n
        }
        html += names.map { "<th>\(SVG.escape($0))</th>" }.joined() + "</tr>"
        for r in 0..<c {
            // In Double: counts read from a file may be anything, and their Int64 sum overflow.
            let total = max(cells[r].reduce(0.0) { $0 + Double($1) }, 1)
            html +=
                "<tr><th>\(SVG.escape(names[r]))</th>"
                + cells[r].map { v -> String in
                    let share = Double(v) / total
                    let bg = "rgba(31,119,180,\(String(format: "%.3f", share)))"
                    return "<td style=\"background:\(bg);color:\(share > 0.5 ? "#fff" : "#222")\">\(v)</td>"
                }.joined() + "</tr>"
        }
        return html + "</table></section>"
    }

    static func reconstructions(_ root: H5Group, _ out: inout [String: Any]) throws -> String? {
        guard root.exists("reconstructions/test") else { return nil }
        let rec = try root.dataset("reconstructions/test")
        guard rec.shape.count == 2, rec.shape[0] > 0 else { return nil }
        let (k, width) = (rec.shape[0], rec.shape[1])
        let y = try rec.read(as: Float.self)
        var x: [Float]? =
            root.exists("reconstructions/test_input") ? try root.dataset("reconstructions/test_input").read(as: Float.self) : nil
        if x?.count != k * width { x = nil }  // inputs that do not match row for row are not drawn above the outputs
        var indices: [Int] = []
        if case .ints(let ix)? = try? rec.attribute("test_indices") { indices = ix.map(Int.init) }
        out["reconstructions"] = ["rows": k, "width": width, "test_indices": indices]
        let side = Int(Double(width).squareRoot().rounded())
        func sample(_ values: [Float], _ i: Int) -> [Float] { Array(values[(i * width)..<((i + 1) * width)]) }
        guard side * side == width else {
            // Not a picture: each row's input and reconstruction as two lines over the features, in one chart.
            let charts = (0..<k).map { i in
                SVG.lines(
                    indices.count == k ? "test row \(indices[i])" : "row \(i)",
                    (x.map { [("input", sample($0, i))] } ?? []) + [("reconstruction", sample(y, i))],
                    xLabel: "feature", first: 0)
            }
            return "<section><h2>Test inputs and their reconstructions</h2><div class=\"grid\">\(charts.joined())</div></section>"
        }
        func pictures(_ values: [Float], _ label: String) -> String {
            (0..<k).map { i in
                // Scaled values: stretch each picture's own range to 0…255; NaN/Inf pixels are drawn black.
                let v = sample(values, i)
                let finite = v.filter(\.isFinite)
                let lo = finite.min() ?? 0, hi = finite.max() ?? 1
                // In Double: hi − lo of two finite Floats can overflow Float (and make 0/inf · 255 a NaN).
                let (l, range) = (Double(lo), max(Double(hi) - Double(lo), 1e-12))
                let px = v.map { $0.isFinite ? UInt8(clamping: Int(((Double($0) - l) / range * 255).rounded())) : 0 }
                guard let png = PNG.grayscale(px, width: side, height: side) else { return "" }
                return "<img class=\"px\" alt=\"\(label) \(i)\" src=\"data:image/png;base64,\(png.base64EncodedString())\">"
            }.joined()
        }
        var html = "<section><h2>Test inputs (top) and their reconstructions (bottom)</h2>"
        if let x { html += "<div class=\"grid\">\(pictures(x, "input"))</div>" }
        return html + "<div class=\"grid\">\(pictures(y, "reconstruction"))</div></section>"
    }

    static func embeddings(_ root: H5Group, _ out: inout [String: Any]) throws -> String? {
        guard root.exists("embeddings/test") else { return nil }
        let e = try root.dataset("embeddings/test")
        guard e.shape.count == 2, e.shape[0] >= 3, e.shape[1] >= 2 else { return nil }
        let (n, d) = (e.shape[0], e.shape[1])
        // PCA holds a d × d covariance and iterates over it: bottleneck codes are narrow,
        // and wider ones (or a corrupt shape) are left out rather than taking gigabytes.
        guard d <= maxPCADimensions else {
            return
                "<section><h2>Test embeddings</h2><div class=\"sub\">\(d)-d codes: too wide for the PCA view (at most \(maxPCADimensions))</div></section>"
        }
        let all = try e.read(as: Float.self)
        // One row with NaN/Inf would spoil the mean and covariance of all: fit and draw the finite rows.
        let kept = (0..<n).filter { r in all[(r * d)..<((r + 1) * d)].allSatisfy(\.isFinite) }
        guard kept.count >= 3 else { return nil }
        var values: [Float] = []
        values.reserveCapacity(kept.count * d)
        for r in kept { values += all[(r * d)..<((r + 1) * d)] }
        let pca = PCA.fit(values, rows: kept.count, cols: d, components: 2)
        var labels: [Int] = []
        var source = "none"
        if root.exists("data/test_labels"), let y = try? root.dataset("data/test_labels").read(as: Int64.self), y.count == n {
            labels = y.map(Int.init); source = "true"
        } else if root.exists("predictions/test/label"), let y = try? root.dataset("predictions/test/label").read(as: Int32.self),
            y.count == n
        {
            labels = y.map(Int.init); source = "predicted"
        }
        let step = max(1, (kept.count + maxPoints - 1) / maxPoints)
        let drawn = Array(Swift.stride(from: 0, to: kept.count, by: step))  // positions in `values`
        let rows = drawn.map { kept[$0] }  // test rows
        let points = drawn.map { pca.project(values, row: $0) }
        let classes = rows.map { labels.isEmpty ? 0 : labels[$0] }
        out["pca"] = [
            "mean": pca.mean, "components": pca.components, "variances": pca.variances, "rows": rows,
            "points": points.map { [$0.0, $0.1] }, "labels": classes, "label_source": source
        ]
        // Without labels every point is "class 0": no legend claims so.
        let legend =
            labels.isEmpty ? "" : Set(classes).sorted().map { "<span><i style=\"background:\(SVG.color($0))\"></i>\($0)</span>" }.joined()
        let colouring = labels.isEmpty ? "one colour (no class labels in the file)" : "coloured by \(source) class"
        let explained =
            pca.totalVariance > 0
            ? pca.variances.map { String(format: "%.1f %%", 100 * $0 / pca.totalVariance) }.joined(separator: ", ") : "—"
        return "<section><h2>Test embeddings, first two principal components</h2>"
            + "<div class=\"sub\">\(d)-d codes of \(n) test rows (\(points.count) drawn\(kept.count < n ? "; \(n - kept.count) with NaN/Inf left out" : "")), \(colouring); variance explained \(explained)</div>"
            + SVG.scatter("PCA of /embeddings/test", points, classes) + "<div class=\"legend\">\(legend)</div></section>"
    }

    static func anomaly(_ root: H5Group, _ out: inout [String: Any]) throws -> String? {
        guard root.exists("anomaly") else { return nil }
        let g = try root.group("anomaly")
        var series: [(String, [Float])] = []
        for name in ["train_error", "test_error"] where g.exists(name) { series.append((name, try g.dataset(name).read(as: Float.self))) }
        guard !series.isEmpty else { return nil }
        var threshold: Double? = nil
        if case .double(let t)? = try? g.attribute("threshold") { threshold = t }
        let all = series.flatMap { $0.1 }.map(Double.init).filter(\.isFinite)
        guard let lo = all.min(), let top = all.max() else { return nil }
        let hi = top > lo ? top : lo + 1
        let edges = (0...bins).map { lo + (hi - lo) * Double($0) / Double(bins) }
        let counts = series.map { s in histogram(s.1, lo: lo, hi: hi) }
        out["anomaly_histograms"] = [
            "edges": edges, "threshold": threshold.map(jsonNumber) ?? NSNull(),
            "counts": Dictionary(uniqueKeysWithValues: zip(series.map(\.0), counts).map { ($0.0, $0.1) })
        ]
        return "<section><h2>Anomaly scores</h2>"
            + SVG.histogram(
                "reconstruction error per row", edges: edges,
                series: zip(series.map(\.0), counts).map { ($0.0, $0.1) }, threshold: threshold) + "</section>"
    }

    /// `bins` equal-width counts over [lo, hi], the last bin closed (as numpy.histogram).
    static func histogram(_ values: [Float], lo: Double, hi: Double) -> [Int] {
        var counts = [Int](repeating: 0, count: bins)
        for v in values where v.isFinite {
            let b = Int((Double(v) - lo) / (hi - lo) * Double(bins))
            counts[min(max(b, 0), bins - 1)] += 1
        }
        return counts
    }

    static func writeTextAtomically(_ text: String, to path: String, inputs: [String]) throws {
        try checkOutputFolder(path, key: "-o", example: "report.html")
        try writeBytesAtomically(Data(text.utf8), to: path, key: "-o", inputs: inputs)
    }
}
