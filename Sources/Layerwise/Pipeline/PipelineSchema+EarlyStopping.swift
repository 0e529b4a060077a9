extension PipelineSchema {
    /// An `early_stopping` watches the validation rows: with none it could never stop,
    /// so it is reported at its line, naming `data.validation`.
    static func checkEarlyStopping(_ r: ConfigReader, _ c: PipelineConfig) {
        let watched: [(key: String, stops: EarlyStopping?)] = [("classifier", c.classifier?.earlyStopping),
                                                               ("fine_tune", c.fineTune?.earlyStopping),
                                                               ("ladder", c.ladder?.earlyStopping)]
        for (key, stops) in watched where stops != nil && c.data.validationFraction == 0 {
            r.report(path: [key, "early_stopping"], "watches the validation rows, but data.validation.fraction is 0 "
                     + "(no validation rows): give data.validation a fraction above 0, or remove \(key).early_stopping")
        }
    }
}
