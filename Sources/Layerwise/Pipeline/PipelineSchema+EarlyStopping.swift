extension PipelineSchema {
    static func readEarlyStopping(_ r: ConfigReader) -> EarlyStopping? {
        guard r.has("early_stopping") else { _ = r.value("early_stopping"); return nil }
        let e = r.section("early_stopping")
        let es = EarlyStopping(
            patience: e.int("patience", default: 10, min: 1),
            metric: EarlyStopping.Metric(rawValue: e.choice("metric", EarlyStopping.Metric.allCases.map(\.rawValue), default: "val_loss"))
                ?? .valLoss)
        e.finish()
        return es
    }

    /// An `early_stopping` watches the validation rows: with none it could never stop,
    /// so it is reported at its line, naming `data.validation`.
    static func checkEarlyStopping(_ r: ConfigReader, _ c: PipelineConfig) {
        let watched: [(key: String, stops: EarlyStopping?)] = [
            ("classifier", c.classifier?.earlyStopping),
            ("fine_tune", c.fineTune?.earlyStopping),
            ("ladder", c.ladder?.earlyStopping)
        ]
        for (key, stops) in watched where stops != nil && c.data.validationFraction == 0 {
            r.report(
                path: [key, "early_stopping"],
                "watches the validation rows, but data.validation.fraction is 0 "
                    + "(no validation rows): give data.validation a fraction above 0, or remove \(key).early_stopping")
        }
    }
}
