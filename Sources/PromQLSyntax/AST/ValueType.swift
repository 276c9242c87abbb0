/// The type of value a PromQL expression evaluates to (Prometheus `parser.ValueType`).
public enum ValueType: Sendable, Hashable, CustomStringConvertible {
    /// A single float (`ValueTypeScalar`).
    case scalar
    /// An instant vector: one sample per series (`ValueTypeVector`).
    case instantVector
    /// A range vector: a window of samples per series (`ValueTypeMatrix`).
    case rangeVector
    /// A string (`ValueTypeString`).
    case string

    /// The name Prometheus uses in messages: `scalar`, `instant vector`, `range vector`, `string`.
    public var description: String {
        switch self {
        case .scalar: "scalar"
        case .instantVector: "instant vector"
        case .rangeVector: "range vector"
        case .string: "string"
        }
    }

    /// The name Prometheus's API uses in a result's `resultType` (`scalar`, `vector`, `matrix`, `string`).
    public var apiName: String {
        switch self {
        case .scalar: "scalar"
        case .instantVector: "vector"
        case .rangeVector: "matrix"
        case .string: "string"
        }
    }
}
