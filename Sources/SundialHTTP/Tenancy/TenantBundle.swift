import SundialCore
import SundialIngest

/// Everything the handlers need to serve one tenant (or, with tenancy off, the single storage):
/// the storage view queries read, the remote-write receiver with the tenant's limits, the
/// remote-read responder, the federation renderer and the PromQL evaluator, all over the same
/// view. Built once per tenant and cached by ``API``. Immutable; thread-safe.
final class TenantBundle: Sendable {
    /// The tenant, nil with tenancy off.
    let tenant: String?
    /// What the read endpoints see (a ``LabelTenantStorage`` in label mode).
    let queryable: any Queryable
    /// Admin operations scoped like ``queryable``, nil when the storage has none.
    let storageAdmin: (any StorageAdmin)?
    /// The remote-write receiver (decoder pool, series cache, the tenant's limits).
    let ingester: RemoteWriteIngester
    /// The remote-read responder over ``queryable``.
    let reader: RemoteReader
    /// The `/federate` renderer over ``queryable``.
    let federation: Federation
    /// PromQL over ``queryable``.
    let evaluator: any QueryEvaluator

    /// - Parameters:
    ///   - storage: the tenant's storage: written as is; read through ``LabelTenantStorage`` when
    ///     `labelName` is given (then writes get `labelName="<tenant>"` injected).
    ///   - limits: the tenant's remote-write limits.
    init(tenant: String?, storage: any Queryable & Appendable, labelName: String?, limits: IngestLimits,
         options: APIOptions, makeEvaluator: @Sendable (any Queryable, String?) -> any QueryEvaluator) {
        self.tenant = tenant
        var rw = options.remoteWrite
        rw.maxDecodedBytes = options.maxDecodedBodyBytes
        rw.limits = limits
        let view: any Queryable
        if let labelName, let tenant {
            let v = LabelTenantStorage(base: storage, labelName: labelName, tenant: tenant)
            view = v
            storageAdmin = v.admin
            rw.injectedLabel = Label(labelName, tenant)
        } else {
            view = storage
            storageAdmin = storage as? any StorageAdmin
        }
        queryable = view
        ingester = RemoteWriteIngester(storage: storage, options: rw)
        var rr = options.remoteRead
        rr.maxDecodedBytes = options.maxDecodedBodyBytes
        reader = RemoteReader(storage: view, options: rr)
        federation = Federation(storage: view, lookbackDeltaMs: options.lookbackDeltaMs)
        evaluator = makeEvaluator(view, tenant)
    }
}

/// A storage with no series, behind the API's parse-only evaluator when tenancy is on (so that
/// nothing but a tenant's bundle can ever read data).
struct EmptyStorage: Queryable {
    struct EmptyQuerier: Querier {
        func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws -> [any StorageSeries] { [] }
        func labelValues(name: String, matchers: [LabelMatcher]) throws -> [String] { [] }
        func labelNames(matchers: [LabelMatcher]) throws -> [String] { [] }
        func close() {}
    }

    func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier { EmptyQuerier() }
}
