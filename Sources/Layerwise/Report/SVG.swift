import Foundation

/// Inline SVG figures for the report: no scripts, no external resources.
enum SVG {
    /// Tableau's ten colours, then greys.
    static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
    ]
    static func color(_ i: Int) -> String { i >= 0 && i < palette.count ? palette[i] : "#444444" }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ v: Double) -> String {
        let a = abs(v)
        if a != 0 && (a < 1e-3 || a >= 1e5) { return String(format: "%.3g", v) }
        return String(format: a >= 100 ? "%.1f" : "%.4f", v)
    }

    /// Whole numbers (epochs) without decimals.
    static func tick(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e6 ? String(Int(v)) : number(v) }

    /// Plot area inside a `w × h` figure: margins for the axis labels.
    struct Frame {
        var w = 360.0, h = 220.0
        let left = 58.0, right = 12.0, top = 26.0, bottom = 30.0
        var xmin: Double, xmax: Double, ymin: Double, ymax: Double
        func x(_ v: Double) -> Double { left + (v - xmin) / max(xmax - xmin, 1e-12) * (w - left - right) }
        func y(_ v: Double) -> Double { h - bottom - (v - ymin) / max(ymax - ymin, 1e-12) * (h - top - bottom) }

        func axes(title: String, xLabel: String) -> String {
            """
            <text x="\(w / 2)" y="16" text-anchor="middle" class="t">\(escape(title))</text>
            <line x1="\(left)" y1="\(h - bottom)" x2="\(w - right)" y2="\(h - bottom)" class="ax"/>
            <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(h - bottom)" class="ax"/>
            <text x="\(left - 4)" y="\(top + 4)" text-anchor="end" class="l">\(number(ymax))</text>
            <text x="\(left - 4)" y="\(h - bottom)" text-anchor="end" class="l">\(number(ymin))</text>
            <text x="\(left)" y="\(h - bottom + 14)" class="l">\(tick(xmin))</text>
            <text x="\(w - right)" y="\(h - bottom + 14)" text-anchor="end" class="l">\(tick(xmax))</text>
            <text x="\((left + w - right) / 2)" y="\(h - 4)" text-anchor="middle" class="l">\(escape(xLabel))</text>
            """
        }
    }

    static func figure(_ f: Frame, _ body: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(f.w)) \(Int(f.h))\" width=\"\(Int(f.w))\" height=\"\(Int(f.h))\">\(body)</svg>"
    }

    /// A learning curve: value per epoch (1-based), with a dot per epoch.
    static func curve(_ title: String, _ values: [Float]) -> String {
        lines(title, [("", values)], xLabel: "epoch", first: 1)
    }

    /// Lines over a shared x axis (`first`, `first + 1`, …), one colour per series, a
    /// legend when there are several; a dot per point up to 60 points.
    static func lines(_ title: String, _ series: [(name: String, values: [Float])], xLabel: String, first: Int) -> String {
        let v = series.flatMap(\.values).map(Double.init).filter(\.isFinite)
        guard let lo = v.min(), let hi = v.max() else { return "" }
        let pad = hi > lo ? 0.05 * (hi - lo) : max(abs(hi) * 0.05, 1e-3)
        let count = series.map(\.values.count).max() ?? 0
        let f = Frame(xmin: Double(first), xmax: Double(first + max(count - 1, 1)), ymin: lo - pad, ymax: hi + pad)
        var body = f.axes(title: title, xLabel: xLabel)
        for (k, s) in series.enumerated() {
            let points = s.values.enumerated().filter { $0.element.isFinite }
                .map { "\(format(f.x(Double(first + $0.offset)))),\(format(f.y(Double($0.element))))" }
            body += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(color(k))\" stroke-width=\"2\"/>"
            if s.values.count <= 60 {
                for p in points {
                    let xy = p.split(separator: ","); body += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"2.5\" fill=\"\(color(k))\"/>"
                }
            }
            if series.count > 1 {
                body +=
                    "<rect x=\"\(f.w - f.right - 100)\" y=\"\(f.top + 14 * Double(k))\" width=\"10\" height=\"3\" fill=\"\(color(k))\"/>"
                body += "<text x=\"\(f.w - f.right - 86)\" y=\"\(f.top + 14 * Double(k) + 5)\" class=\"l\">\(escape(s.name))</text>"
            }
        }
        return figure(f, body)
    }

    /// Points coloured by class, with a legend.
    static func scatter(_ title: String, _ points: [(Double, Double)], _ classes: [Int]) -> String {
        guard let x0 = points.map(\.0).min(), let x1 = points.map(\.0).max(),
            let y0 = points.map(\.1).min(), let y1 = points.map(\.1).max()
        else { return "" }
        let f = Frame(w: 560, h: 440, xmin: x0, xmax: x1, ymin: y0, ymax: y1)
        var body = f.axes(title: title, xLabel: "PC 1 (vertical: PC 2)")
        for (p, c) in zip(points, classes) {
            body += "<circle cx=\"\(format(f.x(p.0)))\" cy=\"\(format(f.y(p.1)))\" r=\"2.2\" fill=\"\(color(c))\" fill-opacity=\"0.7\"/>"
        }
        return figure(f, body)
    }

    /// Bars of counts over shared bin edges, two series (train, test), and a threshold line.
    static func histogram(_ title: String, edges: [Double], series: [(String, [Int])], threshold: Double?) -> String {
        guard let lo = edges.first, let hi = edges.last, !series.isEmpty else { return "" }
        // Heights as fractions of each series' total, so train and test compare.
        let fractions = series.map { s -> [Double] in
            let total = Double(max(s.1.reduce(0, +), 1)); return s.1.map { Double($0) / total }
        }
        let top = fractions.flatMap { $0 }.max() ?? 1
        let f = Frame(w: 560, h: 260, xmin: lo, xmax: hi, ymin: 0, ymax: max(top, 1e-9))
        var body = f.axes(title: title, xLabel: "reconstruction error (fraction of rows per bin)")
        for (k, fr) in fractions.enumerated() {
            for i in fr.indices where fr[i] > 0 {
                let x = f.x(edges[i]), w = max(f.x(edges[i + 1]) - x, 0.5), y = f.y(fr[i])
                body +=
                    "<rect x=\"\(format(x))\" y=\"\(format(y))\" width=\"\(format(w))\" height=\"\(format(f.y(0) - y))\" fill=\"\(color(k))\" fill-opacity=\"0.5\"/>"
            }
            body +=
                "<rect x=\"\(f.w - f.right - 110)\" y=\"\(f.top + 14 * Double(k))\" width=\"10\" height=\"10\" fill=\"\(color(k))\" fill-opacity=\"0.5\"/>"
            body += "<text x=\"\(f.w - f.right - 96)\" y=\"\(f.top + 14 * Double(k) + 9)\" class=\"l\">\(escape(series[k].0))</text>"
        }
        if let t = threshold, t >= lo, t <= hi {
            body +=
                "<line x1=\"\(format(f.x(t)))\" y1=\"\(f.top)\" x2=\"\(format(f.x(t)))\" y2=\"\(f.h - f.bottom)\" stroke=\"#000\" stroke-dasharray=\"4 3\"/>"
            body +=
                "<text x=\"\(format(f.x(t) + 3))\" y=\"\(format((f.top + f.h - f.bottom) / 2))\" class=\"l\">threshold \(number(t))</text>"
        }
        return figure(f, body)
    }

    static func format(_ v: Double) -> String { String(format: "%.1f", v) }
}
