/// Every PromQL function, resolved from its name at parse time.
///
/// The signature table (``signature``) follows Prometheus's `promql/parser/functions.go`: argument
/// types, how many trailing arguments are optional (`variadic`), return type. Functions added after
/// Prometheus 2.42 are flagged ``isV3Only`` and need ``ParserOptions/experimentalFunctions``.
public enum Function: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case abs
    case absent
    case absentOverTime = "absent_over_time"
    case acos
    case acosh
    case asin
    case asinh
    case atan
    case atanh
    case avgOverTime = "avg_over_time"
    case ceil
    case changes
    case clamp
    case clampMax = "clamp_max"
    case clampMin = "clamp_min"
    case cos
    case cosh
    case countOverTime = "count_over_time"
    case daysInMonth = "days_in_month"
    case dayOfMonth = "day_of_month"
    case dayOfWeek = "day_of_week"
    case dayOfYear = "day_of_year"
    case deg
    case delta
    case deriv
    case doubleExponentialSmoothing = "double_exponential_smoothing"
    case end
    case exp
    case firstOverTime = "first_over_time"
    case floor
    case histogramAvg = "histogram_avg"
    case histogramCount = "histogram_count"
    case histogramFraction = "histogram_fraction"
    case histogramQuantile = "histogram_quantile"
    case histogramQuantiles = "histogram_quantiles"
    case histogramStddev = "histogram_stddev"
    case histogramStdvar = "histogram_stdvar"
    case histogramSum = "histogram_sum"
    case holtWinters = "holt_winters"
    case hour
    case idelta
    case increase
    case info
    case integral
    case irate
    case labelJoin = "label_join"
    case labelReplace = "label_replace"
    case lastOverTime = "last_over_time"
    case ln
    case log10
    case log2
    case madOverTime = "mad_over_time"
    case maxOf = "max_of"
    case maxOverTime = "max_over_time"
    case minOf = "min_of"
    case minOverTime = "min_over_time"
    case minute
    case month
    case pi
    case predictLinear = "predict_linear"
    case presentOverTime = "present_over_time"
    case quantileOverTime = "quantile_over_time"
    case rad
    case range
    case rate
    case resets
    case round
    case scalar
    case sgn
    case sin
    case sinh
    case sort
    case sortByLabel = "sort_by_label"
    case sortByLabelDesc = "sort_by_label_desc"
    case sortDesc = "sort_desc"
    case sqrt
    case start
    case startTimestamp = "start_timestamp"
    case stddevOverTime = "stddev_over_time"
    case stdvarOverTime = "stdvar_over_time"
    case step
    case sumOverTime = "sum_over_time"
    case tan
    case tanh
    case time
    case timestamp
    case tsOfFirstOverTime = "ts_of_first_over_time"
    case tsOfLastOverTime = "ts_of_last_over_time"
    case tsOfMaxOverTime = "ts_of_max_over_time"
    case tsOfMinOverTime = "ts_of_min_over_time"
    case vector
    case year

    /// The name as written.
    public var description: String { rawValue }

    /// The function's signature.
    public var signature: FunctionSignature {
        switch self {
        case .abs: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .absent: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .absentOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .acos: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .acosh: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .asin: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .asinh: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .atan: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .atanh: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .avgOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .ceil: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .changes: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .clamp: FunctionSignature(arguments: [.instantVector, .scalar, .scalar], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .clampMax: FunctionSignature(arguments: [.instantVector, .scalar], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .clampMin: FunctionSignature(arguments: [.instantVector, .scalar], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .cos: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .cosh: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .countOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .daysInMonth: FunctionSignature(arguments: [.instantVector], variadic: 1, returnType: .instantVector, isV3Only: false)
        case .dayOfMonth: FunctionSignature(arguments: [.instantVector], variadic: 1, returnType: .instantVector, isV3Only: false)
        case .dayOfWeek: FunctionSignature(arguments: [.instantVector], variadic: 1, returnType: .instantVector, isV3Only: false)
        case .dayOfYear: FunctionSignature(arguments: [.instantVector], variadic: 1, returnType: .instantVector, isV3Only: false)
        case .deg: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .delta: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .deriv: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .doubleExponentialSmoothing: FunctionSignature(arguments: [.rangeVector, .scalar, .scalar], variadic: 0, returnType: .instantVector, isV3Only: true)
        case .end: FunctionSignature(arguments: [], variadic: 0, returnType: .scalar, isV3Only: true)
        case .exp: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .firstOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: true)
        case .floor: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .histogramAvg: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: true)
        case .histogramCount: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .histogramFraction: FunctionSignature(arguments: [.scalar, .scalar, .instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .histogramQuantile: FunctionSignature(arguments: [.scalar, .instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .histogramQuantiles: FunctionSignature(arguments: [.instantVector, .string, .scalar, .scalar], variadic: 9, returnType: .instantVector, isV3Only: true)
        case .histogramStddev: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: true)
        case .histogramStdvar: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: true)
        case .histogramSum: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .holtWinters: FunctionSignature(arguments: [.rangeVector, .scalar, .scalar], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .hour: FunctionSignature(arguments: [.instantVector], variadic: 1, returnType: .instantVector, isV3Only: false)
        case .idelta: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .increase: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .info: FunctionSignature(arguments: [.instantVector, .instantVector], variadic: 1, returnType: .instantVector, isV3Only: true)
        case .integral: FunctionSignature(arguments: [.rangeVector, .scalar], variadic: 1, returnType: .instantVector, isV3Only: true)
        case .irate: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .labelJoin: FunctionSignature(arguments: [.instantVector, .string, .string, .string], variadic: -1, returnType: .instantVector, isV3Only: false)
        case .labelReplace: FunctionSignature(arguments: [.instantVector, .string, .string, .string, .string], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .lastOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .ln: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .log10: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .log2: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .madOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: true)
        case .maxOf: FunctionSignature(arguments: [.scalar, .scalar], variadic: 0, returnType: .scalar, isV3Only: true)
        case .maxOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .minOf: FunctionSignature(arguments: [.scalar, .scalar], variadic: 0, returnType: .scalar, isV3Only: true)
        case .minOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .minute: FunctionSignature(arguments: [.instantVector], variadic: 1, returnType: .instantVector, isV3Only: false)
        case .month: FunctionSignature(arguments: [.instantVector], variadic: 1, returnType: .instantVector, isV3Only: false)
        case .pi: FunctionSignature(arguments: [], variadic: 0, returnType: .scalar, isV3Only: false)
        case .predictLinear: FunctionSignature(arguments: [.rangeVector, .scalar], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .presentOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .quantileOverTime: FunctionSignature(arguments: [.scalar, .rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .rad: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .range: FunctionSignature(arguments: [], variadic: 0, returnType: .scalar, isV3Only: true)
        case .rate: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .resets: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .round: FunctionSignature(arguments: [.instantVector, .scalar], variadic: 1, returnType: .instantVector, isV3Only: false)
        case .scalar: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .scalar, isV3Only: false)
        case .sgn: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .sin: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .sinh: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .sort: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .sortByLabel: FunctionSignature(arguments: [.instantVector, .string], variadic: -1, returnType: .instantVector, isV3Only: true)
        case .sortByLabelDesc: FunctionSignature(arguments: [.instantVector, .string], variadic: -1, returnType: .instantVector, isV3Only: true)
        case .sortDesc: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .sqrt: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .startTimestamp: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: true)
        case .start: FunctionSignature(arguments: [], variadic: 0, returnType: .scalar, isV3Only: true)
        case .stddevOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .stdvarOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .step: FunctionSignature(arguments: [], variadic: 0, returnType: .scalar, isV3Only: true)
        case .sumOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .tan: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .tanh: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .time: FunctionSignature(arguments: [], variadic: 0, returnType: .scalar, isV3Only: false)
        case .timestamp: FunctionSignature(arguments: [.instantVector], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .tsOfFirstOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: true)
        case .tsOfLastOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: true)
        case .tsOfMaxOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: true)
        case .tsOfMinOverTime: FunctionSignature(arguments: [.rangeVector], variadic: 0, returnType: .instantVector, isV3Only: true)
        case .vector: FunctionSignature(arguments: [.scalar], variadic: 0, returnType: .instantVector, isV3Only: false)
        case .year: FunctionSignature(arguments: [.instantVector], variadic: 1, returnType: .instantVector, isV3Only: false)
        }
    }

    /// The return type (shortcut for `signature.returnType`).
    public var returnType: ValueType { signature.returnType }

    /// True for functions Prometheus 2.42 does not have.
    public var isV3Only: Bool { signature.isV3Only }

    /// Looks a function up by its exact (case-sensitive) name, as Prometheus does.
    /// - Complexity: one hash lookup (the synthesized `init(rawValue:)` compares every name).
    public init?(name: String) {
        guard let f = Function.byName[name] else { return nil }
        self = f
    }

    /// Every function by name (immutable, built once).
    private static let byName: [String: Function] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })
}

/// A function's argument and return types (Prometheus `parser.Function`).
public struct FunctionSignature: Sendable, Hashable {
    /// The declared argument types. With `variadic > 0` the last `variadic`... see ``minArguments``.
    public var arguments: [ValueType]
    /// 0: exactly `arguments.count` arguments. n > 0: the last argument may be omitted or repeated
    /// up to n times in total beyond `arguments.count - 1` (`round(v)` / `round(v, s)`;
    /// `histogram_quantiles(v, "q", q1, ... q10)`). -1: the last argument type repeats without limit
    /// (`label_join`, `sort_by_label`).
    public var variadic: Int
    /// The result type.
    public var returnType: ValueType
    /// Added after Prometheus 2.42.
    public var isV3Only: Bool

    /// A signature.
    public init(arguments: [ValueType], variadic: Int, returnType: ValueType, isV3Only: Bool) {
        self.arguments = arguments
        self.variadic = variadic
        self.returnType = returnType
        self.isV3Only = isV3Only
    }

    /// The fewest arguments a call needs: all declared ones, minus the optional last one when variadic.
    public var minArguments: Int { variadic == 0 ? arguments.count : arguments.count - 1 }
    /// The most arguments a call may have; nil when unbounded.
    public var maxArguments: Int? {
        switch variadic {
        case 0: arguments.count
        case let n where n > 0: arguments.count - 1 + n
        default: nil
        }
    }

    /// The expected type of argument `index` (the last declared type repeats for variadic functions).
    public func argumentType(at index: Int) -> ValueType {
        index < arguments.count ? arguments[index] : arguments[arguments.count - 1]
    }
}
