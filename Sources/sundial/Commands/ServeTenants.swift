import Foundation
import Logging
import ServiceLifecycle
import SundialCore
import SundialFileIO
import SundialHTTP
import SundialTSDB
import Synchronization

/// The tenants' databases of isolated tenancy: one ``DB`` (head, WAL, blocks, `lock`) per tenant
/// under `<data>/tenants/<id>/`. Existing tenant directories are opened at start-up
/// (``openExisting()``), so a restart serves every tenant's data and compaction/retention cover
/// them; a new tenant's directory is created and opened on its first request. Every database
/// stays open until ``closeAll()`` at shutdown; their number is bounded by `tenancy.max_tenants`
/// (the API refuses new tenants beyond it).
///
/// Thread-safe: the table sits behind a `Mutex`, held while a new tenant's database opens so two
/// first requests of one tenant cannot both open it (the second waits, then finds it).
final class TenantDatabases: TenantStorageProvider {
    /// `<data>/tenants`.
    let root: String
    let open: @Sendable (String) throws -> DB
    let logger: Logger
    private let dbs = Mutex<[String: DB]>([:])

    /// - Parameter open: opens (creating if needed) the database in the given directory.
    init(dataDir: String, logger: Logger, open: @escaping @Sendable (String) throws -> DB) {
        self.root = dataDir + "/tenants"
        self.open = open
        self.logger = logger
    }

    func storage(forTenant tenant: String) throws -> any Queryable & Appendable {
        ServeStorage(db: try database(tenant))
    }

    /// The database of `tenant`, opened (and its directory created) on first use.
    func database(_ tenant: String) throws -> DB {
        // The API validated the ID (no `/`, not `.` or `..`); check again since it names a directory.
        if let problem = TenantID.validationError(tenant) { throw ServeStartupError(message: "invalid tenant ID: \(problem)") }
        return try dbs.withLock { d in
            if let db = d[tenant] { return db }
            let dir = root + "/" + tenant
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let db = try open(dir)
            d[tenant] = db
            logger.info("tenant database open", metadata: ["tenant": "\(tenant)", "series": "\(db.head.seriesCount)"])
            return db
        }
    }

    /// Opens every tenant directory found under ``root`` (names that are valid tenant IDs; others
    /// are skipped with a warning). Returns the tenants opened.
    @discardableResult
    func openExisting() throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        var opened: [String] = []
        for name in names.sorted() {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDir), isDir.boolValue else { continue }
            if let problem = TenantID.validationError(name) {
                logger.warning("skipping directory that is not a tenant", metadata: ["dir": "\(root)/\(name)", "reason": "\(problem)"])
                continue
            }
            _ = try database(name)
            opened.append(name)
        }
        return opened
    }

    /// Every open database with its tenant, sorted by tenant.
    func all() -> [(tenant: String, db: DB)] {
        dbs.withLock { $0.map { ($0.key, $0.value) } }.sorted { $0.tenant < $1.tenant }
    }

    /// Closes every database (flushing its WAL); the first error is rethrown after trying all.
    func closeAll() throws {
        let list = dbs.withLock { d in
            let l = d.map { ($0.key, $0.value) }
            d.removeAll()
            return l
        }
        var first: (any Error)?
        for (tenant, db) in list {
            do { try db.close() } catch {
                logger.error("closing tenant database failed", metadata: ["tenant": "\(tenant)", "error": "\(error)"])
                if first == nil { first = error }
            }
        }
        if let first { throw first }
    }
}

/// Head compaction, block merging and retention of every tenant database every minute, one
/// tenant after the other, until graceful shutdown.
struct TenantCompactionService: Service {
    let tenants: TenantDatabases
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                for (tenant, db) in tenants.all() {
                    if Task.isCancelled { return }
                    do { _ = try db.compact() } catch {
                        logger.error("tenant compaction failed", metadata: ["tenant": "\(tenant)", "error": "\(error)"])
                    }
                }
                do { try await Task.sleep(for: .seconds(60)) } catch { return }
            }
        }
    }
}
