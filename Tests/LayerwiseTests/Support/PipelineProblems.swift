import Foundation
@testable import Layerwise

extension TinyData {
    /// The problems `Pipeline.parse` reports for `text` with `overrides`, as `key: message`
    /// lines (empty when it loads).
    static func problems(_ overrides: [String], text: String = TinyData.pipeline) -> [String] {
        do {
            _ = try Pipeline.parse(text, file: "p.yaml", baseDirectory: URL(fileURLWithPath: "/tmp"), overrides: overrides)
            return []
        } catch let e as PipelineError { return e.problems.map { "\($0.keyPath): \($0.message)" } } catch { return ["\(error)"] }
    }
}
