public import SundialCore
import SundialIngest
import Synchronization
public import Logging
import NIOPosix

/// The Prometheus HTTP API (`web/api/v1`), remote write/read, federation, self-metrics and probes,
/// as one transport-independent request → response function. The Hummingbird server
/// (``HTTPServer``) feeds it collected requests; tests call ``handle(_:)`` directly.
///
/// Thread-safe: all state is immutable or behind `Mutex`/`Atomic`; requests run concurrently.
public final class API: Sendable {
    /// PromQL syntax services for every handler (`match[]` selectors, `format_query`, exemplar
    /// selector checks). With tenancy off it is the single storage's evaluator; with tenancy on it
    /// evaluates over an empty storage: queries always go through a tenant's ``TenantBundle``.
    public let evaluator: any QueryEvaluator
    /// Self-monitoring counters.
    public let metrics: ServerMetrics
    /// Per-tenant ingestion counters and access refusals.
    public let tenantMetrics = TenantMetrics()
    /// Start-up settings.
    public let options: APIOptions
    let logger: Logger
    /// The bundle of the single storage (tenancy off); nil with tenancy on.
    let defaultBundle: TenantBundle?
    /// Tenancy on: the shared storage of label mode, or nil in isolated mode.
    let sharedStorage: (any Queryable & Appendable)?
    /// Tenancy on, isolated mode: each tenant's storage.
    let tenantStorage: (any TenantStorageProvider)?
    /// Builds a tenant's evaluator over its storage view (tenant nil: tenancy off).
    let makeEvaluator: @Sendable (any Queryable, String?) -> any QueryEvaluator
    /// Tenant bundles built so far (at most ``TenancyOptions/maxTenants``).
    let bundles = Mutex<[String: TenantBundle]>([:])
    /// Credential checks, nil when ``APIOptions/auth`` is empty.
    let authenticator: Authenticator?
    let isReady = Atomic<Bool>(false)
    let extraMetrics: @Sendable () -> [(name: String, help: String, type: String, value: Double)]

    /// An API over one storage with one evaluator. Tenancy must be off
    /// (``TenancyOptions/enabled`` false); authentication (``APIOptions/auth``) may be on.
    /// - Parameters:
    ///   - storage: the database (both sides of it).
    ///   - extraMetrics: gauges sampled at each `/metrics` scrape (head series, process stats).
    public convenience init(storage: any Queryable & Appendable, evaluator: any QueryEvaluator, options: APIOptions,
                            metrics: ServerMetrics, logger: Logger,
                            extraMetrics: @escaping @Sendable () -> [(name: String, help: String, type: String, value: Double)] = { [] }) {
        precondition(!options.tenancy.enabled, "tenancy needs API(storage:tenantStorage:makeEvaluator:...)")
        self.init(storage: storage, tenantStorage: nil, makeEvaluator: { _, _ in evaluator }, options: options,
                  metrics: metrics, logger: logger, extraMetrics: extraMetrics)
    }

    /// An API serving one storage (tenancy off), or tenants as ``APIOptions/tenancy`` says.
    /// - Parameters:
    ///   - storage: the database: the only one with tenancy off, the shared one in label mode;
    ///     unused in isolated mode.
    ///   - tenantStorage: each tenant's database in isolated mode (required there).
    ///   - makeEvaluator: the PromQL evaluator over a storage view for a tenant (nil with tenancy
    ///     off), called once per tenant: the place to give each tenant its own query limits.
    ///   - extraMetrics: gauges sampled at each `/metrics` scrape (head series, process stats).
    public init(storage: any Queryable & Appendable, tenantStorage: (any TenantStorageProvider)?,
                makeEvaluator: @escaping @Sendable (any Queryable, String?) -> any QueryEvaluator, options: APIOptions,
                metrics: ServerMetrics, logger: Logger,
                extraMetrics: @escaping @Sendable () -> [(name: String, help: String, type: String, value: Double)] = { [] }) {
        let tenancy = options.tenancy
        precondition(!tenancy.enabled || tenancy.storage == .label || tenantStorage != nil,
                     "isolated tenancy needs a TenantStorageProvider")
        self.options = options
        self.metrics = metrics
        self.logger = logger
        self.extraMetrics = extraMetrics
        self.makeEvaluator = makeEvaluator
        self.authenticator = options.auth.isEnabled ? Authenticator(options.auth) : nil
        if tenancy.enabled {
            defaultBundle = nil
            sharedStorage = tenancy.storage == .label ? storage : nil
            self.tenantStorage = tenancy.storage == .isolated ? tenantStorage : nil
            evaluator = makeEvaluator(EmptyStorage(), nil)
        } else {
            let b = TenantBundle(tenant: nil, storage: storage, labelName: nil, limits: options.remoteWrite.limits,
                                 options: options, makeEvaluator: makeEvaluator)
            defaultBundle = b
            sharedStorage = nil
            self.tenantStorage = nil
            evaluator = b.evaluator
        }
    }

    /// Marks the server ready (`/-/ready` answers 200) or not (503).
    public func setReady(_ ready: Bool) { isReady.store(ready, ordering: .releasing) }

    /// The route of a path, used for dispatch and as the `handler` label of request metrics.
    enum Route: String {
        case query = "/api/v1/query"
        case queryRange = "/api/v1/query_range"
        case queryExemplars = "/api/v1/query_exemplars"
        case formatQuery = "/api/v1/format_query"
        case series = "/api/v1/series"
        case labels = "/api/v1/labels"
        case labelValues = "/api/v1/label/:name/values"
        case metadata = "/api/v1/metadata"
        case buildinfo = "/api/v1/status/buildinfo"
        case runtimeinfo = "/api/v1/status/runtimeinfo"
        case flags = "/api/v1/status/flags"
        case config = "/api/v1/status/config"
        case tsdb = "/api/v1/status/tsdb"
        case rules = "/api/v1/rules"
        case alerts = "/api/v1/alerts"
        case targets = "/api/v1/targets"
        case deleteSeries = "/api/v1/admin/tsdb/delete_series"
        case cleanTombstones = "/api/v1/admin/tsdb/clean_tombstones"
        case snapshot = "/api/v1/admin/tsdb/snapshot"
        case write = "/api/v1/write"
        case read = "/api/v1/read"
        case federate = "/federate"
        case metrics = "/metrics"
        case healthy = "/-/healthy"
        case ready = "/-/ready"
        case notFound = "other"

        /// What a request needs before the handler runs (see ``API/access(_:_:)``).
        enum Access {
            /// Nothing: the probes.
            case open
            /// Valid credentials when authentication is on; no tenant.
            case server
            /// Admin credentials when authentication is on (the server-wide configuration, which
            /// names every tenant); no tenant.
            case serverAdmin
            /// Credentials when authentication is on, and a tenant when tenancy is on.
            case tenant
            /// Like `tenant`, and an admin principal when authentication is on.
            case admin
        }

        var access: Access {
            switch self {
            case .healthy, .ready: .open
            case .metrics, .buildinfo, .runtimeinfo, .flags, .rules, .alerts, .targets, .formatQuery, .notFound: .server
            case .config: .serverAdmin
            case .query, .queryRange, .queryExemplars, .series, .labels, .labelValues, .metadata, .tsdb, .write, .read, .federate:
                .tenant
            case .deleteSeries, .cleanTombstones, .snapshot: .admin
            }
        }

        /// Methods the route accepts (Prometheus registers GET and POST for query endpoints).
        var methods: Set<String> {
            switch self {
            case .query, .queryRange, .queryExemplars, .formatQuery, .series, .labels: ["GET", "POST"]
            case .labelValues, .metadata, .buildinfo, .runtimeinfo, .flags, .config, .tsdb, .rules, .alerts, .targets:
                ["GET"]
            case .deleteSeries: ["POST", "PUT"]
            case .cleanTombstones, .snapshot: ["POST", "PUT"]
            case .write, .read: ["POST"]
            case .metrics, .federate: ["GET"]
            case .healthy, .ready: ["GET", "HEAD"]
            case .notFound: []
            }
        }
    }

    /// Maps a path to its route and, for `label/<name>/values`, the raw name.
    static func route(_ path: String) -> (Route, String?) {
        if let r = Route(rawValue: path), r != .labelValues, r != .notFound { return (r, nil) }
        let prefix = "/api/v1/label/", suffix = "/values"
        if path.hasPrefix(prefix), path.hasSuffix(suffix), path.utf8.count > prefix.utf8.count + suffix.utf8.count {
            let name = path.dropFirst(prefix.count).dropLast(suffix.count)
            if !name.contains("/") { return (.labelValues, String(name)) }
        }
        return (.notFound, nil)
    }

    /// Answers one request. Never throws: every failure becomes a response with its status.
    public func handle(_ request: APIRequest) async -> APIResponse {
        let start = ContinuousClock.now
        let (route, param) = Self.route(request.path)
        var response: APIResponse
        if route == .notFound {
            response = .text("404 page not found\n", status: 404)
        } else if !route.methods.contains(request.method) {
            response = .text("Method Not Allowed\n", status: 405)
            response.headers.append((name: "Allow", value: route.methods.sorted().joined(separator: ", ")))
        } else {
            do throws(AccessRefusal) {
                let bundle = try access(route, request)
                do {
                    response = try await dispatch(route, param, request, bundle)
                } catch {
                    if error.kind == .internal {
                        logger.error("request failed", metadata: ["path": "\(request.path)", "error": "\(error.message)"])
                        response = .error(.internal())
                    } else {
                        response = .error(error)
                    }
                }
            } catch {
                response = refuse(error, request)
            }
        }
        let elapsed = start.duration(to: .now)
        metrics.observeRequest(handler: route.rawValue, code: response.status, seconds: elapsed.seconds)
        return response
    }

    /// - Parameter t: the caller's tenant bundle; present for every route whose
    ///   ``Route/access`` is `.tenant` or `.admin`.
    private func dispatch(_ route: Route, _ param: String?, _ r: APIRequest, _ t: TenantBundle?) async throws(APIError) -> APIResponse {
        switch route {
        case .buildinfo: return buildinfo()
        case .runtimeinfo: return runtimeinfo()
        case .flags: return flags()
        case .config: return config()
        case .formatQuery: return try formatQuery(r)
        case .rules: return .json(APIEnvelope.success { $0.raw(#"{"groups":[]}"#) })
        case .alerts: return .json(APIEnvelope.success { $0.raw(#"{"alerts":[]}"#) })
        case .targets: return .json(APIEnvelope.success { $0.raw(#"{"activeTargets":[],"droppedTargets":[]}"#) })
        case .metrics:
            var body = metrics.exposition(extra: extraMetrics() + remoteWriteLimitMetrics())
            if options.tenancy.enabled || authenticator != nil {
                body += tenantMetrics.exposition(activeSeries: tenantActiveSeries())
            }
            return APIResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: body)
        case .healthy: return .text("Sundial is Healthy.\n")
        case .ready:
            return isReady.load(ordering: .acquiring)
                ? .text("Sundial is Ready.\n") : .text("Service Unavailable\n", status: 503)
        case .notFound: return .text("404 page not found\n", status: 404)
        default:
            break
        }
        guard let t else { throw APIError.internal("no tenant resolved") }
        switch route {
        case .query: return try await query(r, t)
        case .queryRange: return try await queryRange(r, t)
        case .queryExemplars: return try queryExemplars(r, t)
        case .series: return try series(r, t)
        case .labels: return try labelNames(r, t)
        case .labelValues: return try labelValues(r, t, name: param ?? "")
        case .metadata: return try metricMetadata(r, t)
        case .tsdb: return try tsdbStatus(r, t)
        case .deleteSeries: return try deleteSeries(r, t)
        case .cleanTombstones: return try cleanTombstones(t)
        case .snapshot: return try snapshot(r, t)
        case .write: return await remoteWrite(r, t)
        case .read: return await offload { self.remoteRead(r, t) }
        case .federate: return await offload { self.federate(r, t) }
        default: return .text("404 page not found\n", status: 404)
        }
    }
}

extension API {
    /// Threads for handler work that blocks or runs long: remote read and federation decode many
    /// chunks, which on Swift's cooperative pool (one thread per core: two here) would stall every
    /// other request. (Remote write awaits its commit's group fsync as a suspension instead,
    /// ``remoteWrite(_:_:)``, so no thread parks per write.)
    /// A process-wide pool that lives as long as the process (a static is never deinitialised).
    static let blockingPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        return pool
    }()

    /// Runs `body` on ``blockingPool`` and returns its response.
    func offload(_ body: @escaping @Sendable () -> APIResponse) async -> APIResponse {
        do {
            return try await Self.blockingPool.runIfActive(body)
        } catch {
            // The pool only refuses work when shut down, which never happens to this static pool.
            return .text("server is shutting down\n", status: 503)
        }
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
