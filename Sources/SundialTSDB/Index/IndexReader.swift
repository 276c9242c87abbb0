import SundialCore
import SundialEncoding
import SundialFileIO

/// Reads a block's `index` file (format v2, `tsdb/docs/format/index.md`). Immutable after init and
/// `Sendable`: share one per block between any number of queries.
///
/// On open it memory-maps the file (SundialFileIO `MappedFile`; nothing is read up front but the
/// header, TOC, symbol table and postings offset table, which it decodes: label names → sorted
/// values → postings offsets). Series records and postings lists are decoded on demand straight
/// from the mapping, bounds- and CRC-checked: corrupt bytes throw ``BlockError`` naming the file
/// and offset, never trap.
public struct IndexReader: Sendable {
    public let path: String
    let bytes: IndexBytes
    let toc: IndexTOC
    /// Symbol table; a v2 symbol reference is an index here.
    let symbols: [String]
    /// Label names, byte-sorted, without the all-postings key.
    public let labelNames: [String]
    /// Per label name: values (byte-sorted) and the byte offset of each value's postings list.
    let values: [String: ValueTable]
    /// Offset of the all-postings list (key `""=""`).
    let allPostingsOffset: Int?
    /// Which postings lists were checksummed already (shared by copies of this reader).
    let postingsChecks = PostingsChecks()

    struct ValueTable: Sendable {
        var values: [String] = []
        var offsets: [Int] = []
    }

    /// Maps and opens `path`.
    public init(path: String) throws {
        let file: MappedFile
        do { file = try MappedFile(path: path) } catch { throw BlockError(.io, path: path, "map: \(error)") }
        try self.init(storage: .mapped(file), path: path)
    }

    /// Opens index bytes already in memory; `path` is only used in errors.
    public init(bytes: [UInt8], path: String) throws {
        try self.init(storage: .array(bytes), path: path)
    }

    init(storage: IndexBytes, path: String) throws {
        self.path = path
        self.bytes = storage
        let opened: Opened
        do { opened = try storage.with { bytes throws(DecodeError) in try Self.open(bytes) } } catch {
            throw BlockError.corrupt(path, error)
        }
        toc = opened.toc
        symbols = opened.symbols
        values = opened.values
        labelNames = opened.labelNames
        allPostingsOffset = opened.all
    }

    struct Opened {
        var toc: IndexTOC
        var symbols: [String]
        var values: [String: ValueTable]
        var labelNames: [String]
        var all: Int?
    }

    /// Checks header and TOC and decodes the symbol table and the postings offset table.
    static func open(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> Opened {
        try IndexFormat.validateHeader(bytes)
        let toc = try IndexFormat.decodeTOC(bytes)
        let symbols = toc.symbols == 0 ? [] : try IndexFormat.decodeSymbolTable(bytes, at: Int(toc.symbols))
        var table: [String: ValueTable] = [:]
        var names: [String] = []
        var all: Int?
        if toc.postingsTable != 0 {
            let pt = try PostingsFormat.decodePostingsOffsetTable(bytes, at: Int(toc.postingsTable), limit: UInt64(bytes.count))
            table.reserveCapacity(pt.names.count)
            for (i, name) in pt.names.enumerated() { table[name] = ValueTable(values: pt.values[i], offsets: pt.offsets[i]) }
            names = pt.names
            all = pt.allPostings
        }
        return Opened(toc: toc, symbols: symbols, values: table, labelNames: names, all: all)
    }

    /// Size of the index file in bytes.
    public var size: Int { bytes.count }

    /// Number of symbols.
    public var symbolCount: Int { symbols.count }

    /// Sorted values of label `name` (empty if no series has it).
    public func labelValues(_ name: String) -> [String] { values[name]?.values ?? [] }

    /// The postings list (sorted series refs) of `name=value`; empty if absent.
    public func postings(_ name: String, _ value: String) throws -> [UInt32] {
        guard let t = values[name], let i = IndexReader.find(t.values, value) else { return [] }
        return try postings(at: t.offsets[i])
    }

    /// Every series ref of the block, sorted (the `""=""` list).
    public func allPostings() throws -> [UInt32] {
        guard let off = allPostingsOffset else { return [] }
        return try postings(at: off)
    }

    func postings(at offset: Int) throws -> [UInt32] {
        var out: [UInt32] = []
        let checks = postingsChecks
        do {
            try bytes.with { raw throws(DecodeError) in try PostingsFormat.decode(raw, try checks.locate(raw, at: offset), into: &out) }
        } catch {
            throw BlockError.corrupt(path, error)
        }
        return out
    }

    /// Decodes series `ref`: returns its labels and fills `chunks` (cleared first).
    /// - Throws: ``BlockError`` `.corrupt` for a bad ref, record or symbol reference.
    public func series(_ ref: UInt64, chunks: inout [IndexChunkMeta]) throws -> Labels {
        var refs: [UInt32] = []
        return try series(ref, labelRefs: &refs, chunks: &chunks)
    }

    /// As ``series(_:chunks:)`` with a caller-owned scratch buffer for the symbol references.
    func series(_ ref: UInt64, labelRefs: inout [UInt32], chunks: inout [IndexChunkMeta]) throws -> Labels {
        let (off, overflow) = ref.multipliedReportingOverflow(by: UInt64(IndexFormat.seriesAlignment))
        guard !overflow, off >= toc.series, off < UInt64(bytes.count) else {
            throw BlockError(.corrupt, path: path, "series ref \(ref) outside the series section")
        }
        do {
            try bytes.with { raw throws(DecodeError) in
                try IndexSeriesEntry.decode(raw, at: Int(off), labelRefs: &labelRefs, chunks: &chunks)
            }
        } catch {
            throw BlockError.corrupt(path, error)
        }
        var ls: [Label] = []
        ls.reserveCapacity(labelRefs.count / 2)
        var i = 0
        while i + 1 < labelRefs.count {
            let n = Int(labelRefs[i]), v = Int(labelRefs[i + 1])
            guard n < symbols.count, v < symbols.count else {
                throw BlockError(.corrupt, path: path, "series ref \(ref): symbol reference out of range")
            }
            if let last = ls.last, !byteLess(last.name, symbols[n]) {
                throw BlockError(.corrupt, path: path, "series ref \(ref): labels not sorted")
            }
            ls.append(Label(symbols[n], symbols[v]))
            i += 2
        }
        return Labels(sorted: ls)
    }

    /// Binary search for `v` in byte-sorted `list`.
    static func find(_ list: [String], _ v: String) -> Int? {
        let i = lowerBound(list, v)
        return i < list.count && list[i] == v ? i : nil
    }

    /// First index whose element is not byte-less than `v`.
    static func lowerBound(_ list: [String], _ v: String) -> Int {
        var lo = 0, hi = list.count
        while lo < hi {
            let m = (lo + hi) >> 1
            if byteLess(list[m], v) { lo = m + 1 } else { hi = m }
        }
        return lo
    }
}

/// The bytes an ``IndexReader`` decodes from: the memory-mapped file (normal case) or an array
/// (tests, in-memory indexes). Immutable and `Sendable`.
enum IndexBytes: Sendable {
    case mapped(MappedFile)
    case array([UInt8])

    /// Total size in bytes.
    var count: Int {
        switch self {
        case .mapped(let f): return f.count
        case .array(let a): return a.count
        }
    }

    /// Lends the bytes for the duration of `body` (the buffer must not escape).
    func with<R>(_ body: (UnsafeRawBufferPointer) throws(DecodeError) -> R) throws(DecodeError) -> R {
        switch self {
        case .mapped(let f):
            return try f.withBytes(body)
        case .array(let a):
            let result: Result<R, DecodeError> = a.withUnsafeBytes { raw in
                do throws(DecodeError) { return .success(try body(raw)) } catch { return .failure(error) }
            }
            return try result.get()
        }
    }
}
