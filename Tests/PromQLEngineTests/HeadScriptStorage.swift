import SundialCore
import SundialTSDB

/// The TSDB head as a test runner's storage, as `sundial promql test` uses it: 24 h chunk range
/// (like Prometheus's test storage) so every script's data stays appendable.
struct HeadScriptStorage: Appendable, Queryable {
    let head = Head(options: HeadOptions(chunkRange: 24 * 3600 * 1000))
    func appender() -> any Appender { head.appender() }
    func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier {
        try head.querier(minTime: minTime, maxTime: maxTime)
    }
}
