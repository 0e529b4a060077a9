/// The version printed by `layerwise --version` and stored in every results file.
public let layerwiseVersion = "0.1.0"
