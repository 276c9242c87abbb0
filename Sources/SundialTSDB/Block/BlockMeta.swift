import Foundation

/// A block's `meta.json` (`tsdb/block.go` `BlockMeta`, reference-brief §1.1). The block holds
/// samples with `minTime <= t < maxTime` (half-open, ms). Value type, `Sendable`.
public struct BlockMeta: Codable, Sendable, Hashable {
    /// meta.json's `version`: always 1 (`metaVersion1`); it is not the index version.
    public static let currentVersion = 1

    public var ulid: BlockID
    /// Inclusive lower bound of the block's samples, ms.
    public var minTime: Int64
    /// Exclusive upper bound of the block's samples, ms.
    public var maxTime: Int64
    public var stats: Stats
    public var compaction: Compaction
    public var version: Int

    /// Counts over the block. Zero counts are omitted from JSON, as Go's `omitempty` does.
    public struct Stats: Codable, Sendable, Hashable {
        public var numSamples: UInt64
        public var numSeries: UInt64
        public var numChunks: UInt64
        public var numTombstones: UInt64
        /// Float samples (newer Prometheus's split of `numSamples`; nil when meta.json has none,
        /// as in 2.42 blocks).
        public var numFloatSamples: UInt64? = nil
        /// Native-histogram samples (counted in `numSamples` too); nil when unknown (2.42 blocks).
        public var numHistogramSamples: UInt64? = nil
        public init(numSamples: UInt64 = 0, numSeries: UInt64 = 0, numChunks: UInt64 = 0, numTombstones: UInt64 = 0) {
            self.numSamples = numSamples
            self.numSeries = numSeries
            self.numChunks = numChunks
            self.numTombstones = numTombstones
        }
        enum CodingKeys: String, CodingKey { case numSamples, numSeries, numChunks, numTombstones, numFloatSamples, numHistogramSamples }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            numSamples = try c.decodeIfPresent(UInt64.self, forKey: .numSamples) ?? 0
            numSeries = try c.decodeIfPresent(UInt64.self, forKey: .numSeries) ?? 0
            numChunks = try c.decodeIfPresent(UInt64.self, forKey: .numChunks) ?? 0
            numFloatSamples = try c.decodeIfPresent(UInt64.self, forKey: .numFloatSamples)
            numHistogramSamples = try c.decodeIfPresent(UInt64.self, forKey: .numHistogramSamples)
            numTombstones = try c.decodeIfPresent(UInt64.self, forKey: .numTombstones) ?? 0
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if numSamples != 0 { try c.encode(numSamples, forKey: .numSamples) }
            if numSeries != 0 { try c.encode(numSeries, forKey: .numSeries) }
            if numChunks != 0 { try c.encode(numChunks, forKey: .numChunks) }
            // Both or neither: a block we wrote says how many histograms it holds, also none.
            if numFloatSamples != nil || numHistogramSamples != nil {
                try c.encode(numFloatSamples ?? 0, forKey: .numFloatSamples)
                try c.encode(numHistogramSamples ?? 0, forKey: .numHistogramSamples)
            }
            if numTombstones != 0 { try c.encode(numTombstones, forKey: .numTombstones) }
        }
    }

    /// A parent block of a compacted block.
    public struct BlockDesc: Codable, Sendable, Hashable {
        public var ulid: BlockID
        public var minTime: Int64
        public var maxTime: Int64
        public init(ulid: BlockID, minTime: Int64, maxTime: Int64) {
            self.ulid = ulid
            self.minTime = minTime
            self.maxTime = maxTime
        }
    }

    /// Compaction history: level 1 for blocks cut from the head; sources are the level-1 ancestors.
    public struct Compaction: Codable, Sendable, Hashable {
        public var level: Int
        public var sources: [BlockID]
        public var parents: [BlockDesc]
        /// Set on a block whose data were all deleted; it will be removed.
        public var deletable: Bool
        /// Set when a compaction involving this block failed (Prometheus then skips it).
        public var failed: Bool
        public init(level: Int, sources: [BlockID], parents: [BlockDesc] = [], deletable: Bool = false, failed: Bool = false) {
            self.level = level
            self.sources = sources
            self.parents = parents
            self.deletable = deletable
            self.failed = failed
        }
        enum CodingKeys: String, CodingKey { case level, sources, parents, deletable, failed }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            level = try c.decodeIfPresent(Int.self, forKey: .level) ?? 0
            sources = try c.decodeIfPresent([BlockID].self, forKey: .sources) ?? []
            parents = try c.decodeIfPresent([BlockDesc].self, forKey: .parents) ?? []
            deletable = try c.decodeIfPresent(Bool.self, forKey: .deletable) ?? false
            failed = try c.decodeIfPresent(Bool.self, forKey: .failed) ?? false
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(level, forKey: .level)
            if !sources.isEmpty { try c.encode(sources, forKey: .sources) }
            if !parents.isEmpty { try c.encode(parents, forKey: .parents) }
            if deletable { try c.encode(deletable, forKey: .deletable) }
            if failed { try c.encode(failed, forKey: .failed) }
        }
    }

    public init(ulid: BlockID, minTime: Int64, maxTime: Int64, stats: Stats, compaction: Compaction, version: Int = BlockMeta.currentVersion) {
        self.ulid = ulid
        self.minTime = minTime
        self.maxTime = maxTime
        self.stats = stats
        self.compaction = compaction
        self.version = version
    }

    /// Parses meta.json bytes; refuses versions other than 1.
    public static func decode(_ bytes: [UInt8], path: String) throws -> BlockMeta {
        let meta: BlockMeta
        do { meta = try JSONDecoder().decode(BlockMeta.self, from: Data(bytes)) } catch {
            throw BlockError(.corrupt, path: path, "meta.json does not parse: \(error)")
        }
        guard meta.version == currentVersion else {
            throw BlockError(.corrupt, path: path, "meta.json version \(meta.version), want \(currentVersion)")
        }
        guard meta.minTime <= meta.maxTime else {
            throw BlockError(.corrupt, path: path, "meta.json minTime \(meta.minTime) > maxTime \(meta.maxTime)")
        }
        return meta
    }

    /// meta.json bytes (pretty-printed, keys sorted for stable output).
    public func encoded() throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return [UInt8](try e.encode(self))
    }
}
