import Yams

extension ServeConfig {
    /// Prometheus's nested form `storage: { exemplars: { max_exemplars: N } }` (the flat
    /// `storage.max_exemplars` is accepted too).
    mutating func applyExemplars(_ node: Node, file: String) throws(ConfigError) {
        if node.null != nil { return }
        guard let m = node.mapping else { throw ConfigError("\(file):\(line(node)): storage.exemplars must be a mapping") }
        for (key, value) in m {
            let name = key.string ?? ""
            let path = "storage.exemplars.\(name)"
            guard name == "max_exemplars" else {
                throw ConfigError("\(file):\(line(key)): unknown setting \(path) (see docs/configuration.md for the accepted keys)")
            }
            guard let s = value.scalar?.string else { throw ConfigError("\(file):\(line(key)): \(path) must be a single value") }
            do {
                maxExemplars = try ConfigUnits.parseInt(s, setting: path)
            } catch {
                throw ConfigError("\(file):\(line(key)): \(error.message)")
            }
        }
    }
}
