/// The value of the row `key` in a run's summary table (`key   value`), whatever the
/// width of the key column (it grows with the longest key the run has).
func summaryValue(_ summary: String, _ key: String) -> String? {
    summary.split(separator: "\n").first { $0.hasPrefix(key + " ") }
        .map { $0.dropFirst(key.count).trimmingCharacters(in: .whitespaces) }
}
