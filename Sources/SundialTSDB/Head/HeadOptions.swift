/// Options of a ``Head``. Times are milliseconds.
public struct HeadOptions: Sendable, Hashable {
    /// Width of the chunk range (Prometheus `--storage.tsdb.min-block-duration`, default 2 h):
    /// no chunk crosses a multiple of it, and the appendable window is half of it.
    public var chunkRange: Int64
    /// Target samples per chunk (Prometheus `DefaultSamplesPerChunk` = 120). A chunk is also cut at
    /// twice this many samples.
    public var samplesPerChunk: Int
    /// Number of lock stripes of the series-by-labels map (a power of two). More stripes mean less
    /// contention between series creations and label lookups (never on the per-sample path of a
    /// client that passes series refs) and more fixed memory (~100 bytes per stripe). Default
    /// 4,096 (Prometheus: 16,384): ~24 series per stripe at 100k series (issue #6).
    public var stripeCount: Int
    /// Exemplars kept by the head's ``ExemplarStore`` (Prometheus `storage.exemplars.max_exemplars`,
    /// default 100000); 0 keeps none.
    public var maxExemplars: Int = 100_000

    /// - Precondition: `chunkRange > 0`, `samplesPerChunk >= 4`, `stripeCount` a power of two.
    public init(chunkRange: Int64 = 2 * 3600 * 1000, samplesPerChunk: Int = 120, stripeCount: Int = 4096) {
        precondition(chunkRange > 0, "chunkRange must be positive")
        precondition(samplesPerChunk >= 4, "samplesPerChunk must be at least 4")
        precondition(stripeCount > 0 && stripeCount & (stripeCount - 1) == 0, "stripeCount must be a power of two")
        self.chunkRange = chunkRange
        self.samplesPerChunk = samplesPerChunk
        self.stripeCount = stripeCount
    }
}
