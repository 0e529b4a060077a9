import HDF5

/// Opening a file that `layerwise run` wrote (SPEC §3), for the commands that read one.
enum ResultsFile {
    /// The root group, or an error naming the file when it lacks `format = "layerwise-results"`.
    static func open(_ path: String) throws -> H5Group {
        let root = try H5File.open(path).root
        guard case .string("layerwise-results")? = try? root.attribute("format") else {
            throw InputError("\(path): not a Layerwise results file (no format = \"layerwise-results\" attribute)")
        }
        return root
    }
}
