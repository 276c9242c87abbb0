import SundialIngest
import Foundation
import Logging
import PromQLEngine
import ServiceLifecycle
import SundialCore
import SundialFileIO
import SundialHTTP
import SundialTSDB
import SundialWAL
import UnixSignals

/// Why `sundial serve` could not start (bad data directory, locked by another instance, port in use).
struct ServeStartupError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The composition root of `sundial serve`: opens the database (taking the data directory's lock),
/// builds the engine and the HTTP API, runs the server in a `ServiceGroup` that shuts down
/// gracefully on SIGTERM/SIGINT (stop accepting, finish in-flight requests), then closes the
/// database (flushing and closing the WAL) and returns, so the process exits 0.
struct ServeRunner {
    let config: ServeConfig
    let logger: Logger

    /// Drops the resident pages of the code that only start-up ran (``ResidentCode``), once the
    /// database is open and the listener bound: ~23 MiB of executable file pages at 100k series,
    /// of which the serving paths fault back only what they run (issue #6, BENCHMARKS.md "Session 4
    /// (headmem)"). `SUNDIAL_KEEP_STARTUP_PAGES=1` in the environment keeps them.
    static func releaseStartupCode(logger: Logger) {
        guard getenv("SUNDIAL_KEEP_STARTUP_PAGES") == nil, let r = ResidentCode.releaseExecutablePages() else { return }
        logger.debug("released start-up code pages", metadata: [
            "mappings": "\(r.mappings)", "resident_bytes": "\(r.residentBytes)", "skipped": "\(r.skipped)"])
    }

    func run() async throws {
        let (host, port) = try config.hostAndPort()
        // TLS files are loaded and checked before anything else starts; errors name the file.
        let tls = config.tlsSettings
        if let tls {
            do {
                _ = try tls.makeConfiguration()
            } catch {
                throw ServeStartupError(message: error.message)
            }
        }
        let tenancy = config.tenancy
        let isolated = tenancy.enabled && tenancy.storage == .isolated
        // Isolated mode: no database at the top of the data directory, but its lock (one server
        // per data directory); each tenant database takes its own lock too.
        var rootLock: DirectoryLock? = nil
        var db: DB? = nil
        var tenants: TenantDatabases? = nil
        if isolated {
            rootLock = try lockDataDirectory()
            let options = dbOptions()
            let t = TenantDatabases(dataDir: config.dataDir, logger: logger) { dir in try DB.open(directory: dir, options: options) }
            do {
                let opened = try t.openExisting()
                logger.info("tenants open", metadata: ["tenants": "\(opened.count)", "data_dir": "\(config.dataDir)/tenants"])
            } catch {
                try? t.closeAll()
                throw ServeStartupError(message: "cannot open the tenant databases under \(config.dataDir)/tenants: \(error)")
            }
            tenants = t
        } else {
            db = try openDatabase()
        }
        let engine = Engine(options: EngineOptions(
            lookbackDelta: config.lookbackDeltaMs, maxSamples: config.queryMaxSamples,
            timeout: .milliseconds(config.queryTimeoutMs), maxConcurrentQueries: config.queryMaxConcurrency,
            semantics: config.engineSemantics))
        let startMs = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        var options = APIOptions()
        options.enableAdminAPI = config.enableAdminAPI
        options.maxBodyBytes = Int(clamping: config.maxRequestBodyBytes)
        options.readTimeout = config.readTimeoutMs > 0 ? .milliseconds(config.readTimeoutMs) : nil
        options.remoteWrite.limits = config.limits
        options.queryTimeout = .milliseconds(config.queryTimeoutMs)
        options.lookbackDeltaMs = config.lookbackDeltaMs
        options.flags = config.flags
        options.configYAML = config.yaml
        options.storageRetention = config.retentionSizeBytes > 0
            ? "\(ConfigUnits.formatDuration(config.retentionTimeMs)) or \(config.retentionSizeBytes)B"
            : ConfigUnits.formatDuration(config.retentionTimeMs)
        options.workingDirectory = FileManager.default.currentDirectoryPath
        options.startTimeMs = startMs
        options.processorCount = ProcessInfo.processInfo.activeProcessorCount
        options.sundialVersion = SundialVersion.version
        options.auth = config.auth
        options.tenancy.enabled = tenancy.enabled
        options.tenancy.storage = tenancy.storage
        options.tenancy.labelName = tenancy.labelName
        options.tenancy.maxTenants = tenancy.maxTenants
        options.tenancy.limitOverrides = try config.limitOverrides()
        let metrics = ServerMetrics(startTimeSeconds: Double(startMs) / 1000)
        // In isolated mode `storage` is never used (every request goes to its tenant's database).
        let storage: any Queryable & Appendable = db.map { ServeStorage(db: $0) } ?? NoStorage()
        // Query limits: the query: section for everyone, tenancy.query_overrides per tenant (each
        // overridden tenant its own limiter, so its own concurrency gate when it sets one).
        let limiter = config.queryLimiter
        let tenantLimiters = try config.queryLimitOverrides().mapValues { QueryLimiter($0) }
        let api = API(storage: storage, tenantStorage: tenants,
                      makeEvaluator: { storage, tenant in
                          EngineEvaluator(engine: engine, storage: storage, limiter: tenant.flatMap { tenantLimiters[$0] } ?? limiter)
                      },
                      options: options, metrics: metrics, logger: logger) { [db, tenants] in
            let series = db.map { $0.head.seriesCount } ?? tenants?.all().reduce(0) { $0 + $1.db.head.seriesCount } ?? 0
            return [("sundial_head_series", "Series in the head block (all tenants).", "gauge", Double(series))]
                + ServeStorage.exemplarMetrics(db.map { [$0] } ?? tenants?.all().map(\.db) ?? [])
                + ProcessStats.metrics()
        }
        let logger = self.logger
        let app = try HTTPServer.application(api: api, host: host, port: port, logger: logger, tls: tls) { bound in
            ServeRunner.releaseStartupCode(logger: logger)
            api.setReady(true)
            logger.info("listening", metadata: ["address": "\(host):\(bound)", "data_dir": "\(config.dataDir)",
                                                "tls": "\(tls != nil)",
                                                "tenancy": "\(tenancy.enabled ? tenancy.storage.rawValue : "off")"])
        }
        // The server shuts down first (stop accepting, finish in-flight requests), then compaction.
        let compaction: any Service
        if let db {
            compaction = CompactionService(db: db)
        } else {
            compaction = TenantCompactionService(tenants: tenants!, logger: logger)
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: compaction), .init(service: app)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        var failure: (any Error)?
        do {
            try await group.run()
        } catch {
            failure = error
        }
        api.setReady(false)
        logger.info("server stopped; closing the database")
        do {
            try db?.close()
            try tenants?.closeAll()
            rootLock?.unlock()
        } catch {
            logger.error("closing the database failed", metadata: ["error": "\(error)"])
            throw ServeStartupError(message: "closing the database failed: \(error)")
        }
        if let failure {
            throw ServeStartupError(message: "server failed: \(failure) (is \(config.listenAddress) already in use?)")
        }
        logger.info("shutdown complete")
    }

    /// Database options from the configuration (every tenant database gets the same).
    func dbOptions() -> DBOptions {
        let syncMode: WALSyncMode
        switch config.walFsync {
        case .always: syncMode = .always
        case .never: syncMode = .never
        case .interval(let ms): syncMode = .interval(milliseconds: Int(clamping: ms))
        }
        let logger = self.logger
        var head = HeadOptions(chunkRange: config.blockRangeMs)
        head.maxExemplars = config.maxExemplars
        var options = DBOptions(head: head, wal: WALOptions(syncMode: syncMode),
                                log: { logger.info("\($0)") })
        options.retentionMs = config.retentionTimeMs
        options.retentionBytes = UInt64(config.retentionSizeBytes)
        return options
    }

    /// Creates the data directory and takes its `lock` (isolated tenancy, where no database
    /// sits at the top of it).
    func lockDataDirectory() throws -> DirectoryLock {
        do {
            try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true)
            return try DirectoryLock(directory: config.dataDir)
        } catch {
            throw ServeStartupError(message: "cannot open data directory \(config.dataDir): \(error)"
                + " (another sundial or Prometheus may be using it; stop it or pick another --data-dir)")
        }
    }

    /// Opens (creating if needed) the data directory. The DB takes `<dir>/lock`, so a second
    /// instance on the same directory fails here with the holder's pid.
    func openDatabase() throws -> DB {
        let options = dbOptions()
        do {
            try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true)
        } catch {
            throw ServeStartupError(message: "cannot create data directory \(config.dataDir): \(error.localizedDescription)")
        }
        do {
            let db = try DB.open(directory: config.dataDir, options: options)
            logger.info("database open", metadata: ["data_dir": "\(config.dataDir)", "series": "\(db.head.seriesCount)"])
            return db
        } catch {
            throw ServeStartupError(message: "cannot open data directory \(config.dataDir): \(error)"
                + " (another sundial or Prometheus may be using it; stop it or pick another --data-dir)")
        }
    }
}

/// Head compaction, block merging and retention every minute (Prometheus's cadence), until
/// graceful shutdown.
struct CompactionService: Service {
    let db: DB

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await db.runCompactionLoop(every: .seconds(60))
        }
    }
}

/// The database as the HTTP API sees it: Core's storage protocols plus metadata.
struct ServeStorage: Appendable, Queryable, MetadataQueryable, StorageStatsProvider {
    let db: DB

    func appender() -> any Appender { db.appender() }

    func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier {
        try db.querier(minTime: minTime, maxTime: maxTime)
    }

    /// Head cardinality (as Prometheus's `/status/tsdb` reports the head), from the head's
    /// postings index; `match[]`, focus label and time range as the request gives them.
    func stats(_ request: StatsRequest) throws -> StorageStats {
        db.head.cardinalityStats(request)
    }

    func metricMetadata(metric: String?) -> [MetricMetadata] {
        if let metric { return db.head.metadata(metric).map { [$0] } ?? [] }
        return db.head.allMetadata().values.sorted { byteOrderLess($0.metricFamily, $1.metricFamily) }
    }
}

/// The storage handed to the API in isolated tenancy, where requests only ever reach their
/// tenant's database: nothing to read, refuses every write.
struct NoStorage: Queryable, Appendable {
    func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier {
        throw ServeStartupError(message: "isolated tenancy: no shared storage")
    }

    func appender() -> any Appender { NoAppender() }

    final class NoAppender: Appender {
        func append(ref: SeriesRef, labels: Labels, timestamp: Timestamp, value: Double) throws(AppendError) -> SeriesRef {
            throw AppendError(.invalidLabels, labels: labels, timestamp: timestamp, detail: "isolated tenancy: no shared storage")
        }
        func appendMetadata(_ metadata: MetricMetadata) {}
        func commit() throws {}
        func rollback() {}
    }
}
