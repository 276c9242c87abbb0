import Foundation
import Logging
import PromQLEngine
import SundialCore
import SundialHTTP
import SundialIngest
import SundialTSDB
import SundialTestSupport
import Synchronization

/// A database as the tenancy tests hand it to the API: Core's storage protocols plus metadata
/// and admin deletes (block deletes: the head keeps its samples, see `DB.deleteFromBlocks`).
struct TenancyTestStorage: Queryable, Appendable, MetadataQueryable, StorageAdmin, StorageStatsProvider {
    struct Unsupported: Error {}
    let db: DB

    func appender() -> any Appender { db.appender() }
    func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier { try db.querier(minTime: minTime, maxTime: maxTime) }
    func metricMetadata(metric: String?) -> [MetricMetadata] {
        if let metric { return db.head.metadata(metric).map { [$0] } ?? [] }
        return db.head.allMetadata().values.sorted { byteOrderLess($0.metricFamily, $1.metricFamily) }
    }
    func deleteSeries(matcherSets: [[LabelMatcher]], minTime: Timestamp, maxTime: Timestamp) throws {
        for set in matcherSets { try db.deleteFromBlocks(matchers: set, minTime: minTime, maxTime: maxTime) }
    }
    func stats(_ request: StatsRequest) throws -> StorageStats { db.head.cardinalityStats(request) }
    func cleanTombstones() throws { throw Unsupported() }
    func snapshot(skipHead: Bool) throws -> String { throw Unsupported() }
}

/// Isolated tenancy for the tests: one real database per tenant under `<dir>/tenants/<id>`.
final class TestTenantDatabases: TenantStorageProvider {
    let root: String
    let dbs = Mutex<[String: DB]>([:])

    init(root: String) { self.root = root }

    func storage(forTenant tenant: String) throws -> any Queryable & Appendable {
        try dbs.withLock { d in
            if let db = d[tenant] { return TenancyTestStorage(db: db) }
            let dir = root + "/tenants/" + tenant
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let db = try DB.open(directory: dir, options: TenancyTestServer.dbOptions)
            d[tenant] = db
            return TenancyTestStorage(db: db)
        }
    }

    func all() -> [String: DB] { dbs.withLock { $0 } }

    func closeAll() throws {
        for db in dbs.withLock({ $0.values }) { try db.close() }
    }
}

/// The HTTP API with tenancy on, real databases in `dir`, served on 127.0.0.1 (ephemeral port).
final class TenancyTestServer: Sendable {
    static let dbOptions = DBOptions(head: HeadOptions(chunkRange: 60_000))

    let api: API
    let client: ServerTestClient
    /// Label mode: the shared database.
    let shared: DB?
    /// Isolated mode: the tenants' databases.
    let tenants: TestTenantDatabases?
    private let task: Task<Void, any Error>

    init(mode: TenancyOptions.Storage, dir: String, auth: AuthOptions = AuthOptions(),
         limits: IngestLimits = IngestLimits(), maxTenants: Int = 1000) async throws {
        var options = APIOptions()
        options.tenancy.enabled = true
        options.tenancy.storage = mode
        options.tenancy.maxTenants = maxTenants
        options.enableAdminAPI = true
        options.auth = auth
        options.remoteWrite.limits = limits
        var logger = Logger(label: "sundial-tenancy-test")
        logger.logLevel = .error
        let storage: any Queryable & Appendable
        if mode == .label {
            let db = try DB.open(directory: dir, options: Self.dbOptions)
            shared = db
            tenants = nil
            storage = TenancyTestStorage(db: db)
        } else {
            shared = nil
            tenants = TestTenantDatabases(root: dir)
            storage = MemoryStorage()  // never reached in isolated mode
        }
        let engine = Engine()
        let api = API(storage: storage, tenantStorage: tenants, makeEvaluator: { storage, _ in EngineEvaluator(engine: engine, storage: storage) },
                      options: options, metrics: ServerMetrics(startTimeSeconds: 0), logger: logger)
        api.setReady(true)
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        task = Task {
            try await HTTPServer.run(api: api, host: "127.0.0.1", port: 0, logger: logger) { port in
                continuation.yield(port)
                continuation.finish()
            }
        }
        var it = stream.makeAsyncIterator()
        guard let port = await it.next() else { throw ServerTestClient.ClientError(description: "server did not start") }
        self.api = api
        self.client = ServerTestClient(port: port)
    }

    /// Stops serving and closes the databases.
    func stop() async throws {
        task.cancel()
        _ = try? await task.value
        try shared?.close()
        try tenants?.closeAll()
    }

    /// Compacts every database (persists the head's complete ranges as blocks).
    func compact() throws {
        try shared?.compact()
        for db in tenants?.all().values.map({ $0 }) ?? [] { try db.compact() }
    }

    static let v1Headers = [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy"),
                            ("X-Prometheus-Remote-Write-Version", "0.1.0")]

    /// Remote-writes `req` (1.0) with `headers` added.
    func write(_ req: RemoteWriteRequest, headers: [(String, String)]) async throws -> ServerTestClient.Response {
        try await client.request("POST", "/api/v1/write", headers: Self.v1Headers + headers, body: req.compressed(.v1))
    }
}
