import SundialCore
import SundialTSDB

/// The admin API (`/api/v1/admin/tsdb/*`, served with `--web.enable-admin-api`) on the database.
extension ServeStorage: StorageAdmin {
    func deleteSeries(matcherSets: [[LabelMatcher]], minTime: Timestamp, maxTime: Timestamp) throws {
        try db.deleteSeries(matcherSets: matcherSets, minTime: minTime, maxTime: maxTime)
    }

    func cleanTombstones() throws { try db.cleanTombstones() }

    func snapshot(skipHead: Bool) throws -> String { try db.snapshot(skipHead: skipHead) }
}
