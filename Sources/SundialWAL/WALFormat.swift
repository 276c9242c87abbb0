/// Constants and names of the Prometheus 2.42 WAL layout (Prometheus tsdb/docs/format/wal.md,
/// `tsdb/wlog/wlog.go`; our copy with diagrams is docs/format/wal.md).
///
/// A WAL directory holds segment files named by an 8-digit zero-padded index (`00000000`,
/// `00000001`, ...) and at most a few `checkpoint.NNNNNNNN/` directories, each itself a WAL.
/// A segment is a sequence of 32 KiB pages of fragments:
///
///     ┌───────────┬──────────┬────────────┬──────────────┐
///     │ type <1b> │ len <2b> │ CRC32 <4b> │ data <bytes> │
///     └───────────┴──────────┴────────────┴──────────────┘
///
/// `len` is big-endian, the CRC is CRC32-Castagnoli over `data`, big-endian. The type byte is
/// `[3 bits unused][1 bit zstd][1 bit snappy][3 bits fragment type]`.
public enum WALFormat {
    /// Default segment size: 128 MiB (`DefaultSegmentSize`). Segments are cut when the next record
    /// would not fit; a record never crosses segments.
    public static let defaultSegmentSize = 128 * 1024 * 1024
    /// Page size: 32 KiB (`pageSize`). Fragments never cross a page; a page with fewer than
    /// ``fragmentHeaderSize`` bytes left is zero-padded.
    public static let pageSize = 32 * 1024
    /// Fragment header size: type, BE16 length, BE32 CRC (`recordHeaderSize`).
    public static let fragmentHeaderSize = 7
    /// The largest fragment payload: a page minus one header.
    public static let maxFragmentPayload = pageSize - fragmentHeaderSize

    /// Snappy flag in the fragment type byte.
    static let snappyMask: UInt8 = 1 << 3
    /// Zstd flag in the fragment type byte (newer Prometheus only; 2.42 cannot read it).
    static let zstdMask: UInt8 = 1 << 4
    /// The fragment type bits.
    static let fragmentTypeMask: UInt8 = 0x07

    /// Fragment types (low 3 bits of the type byte).
    enum FragmentType: UInt8 {
        /// The rest of the page is zero padding.
        case pageTerm = 0
        /// A whole record.
        case full = 1
        /// The first fragment of a record.
        case first = 2
        /// A middle fragment.
        case middle = 3
        /// The last fragment.
        case last = 4
    }

    /// Prefix of checkpoint directory names (`checkpoint.` + 8-digit index).
    public static let checkpointPrefix = "checkpoint."
    /// Suffix of a checkpoint being written (removed on the next replay or checkpoint).
    public static let temporarySuffix = ".tmp"

    /// The file name of segment `index`: 8 digits, zero-padded (`%08d`).
    public static func segmentName(_ index: Int) -> String {
        let digits = String(index)
        return digits.count >= 8 ? digits : String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// The directory name of the checkpoint covering segments up to `index`.
    public static func checkpointName(_ index: Int) -> String { checkpointPrefix + segmentName(index) }

    /// The index of a segment file name, or nil if the name is not all decimal digits.
    public static func segmentIndex(ofName name: String) -> Int? {
        guard !name.isEmpty, name.utf8.count <= 18, name.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(name)
    }

    /// The index of a checkpoint directory name, or nil if it is not `checkpoint.<digits>`.
    public static func checkpointIndex(ofName name: String) -> Int? {
        guard name.hasPrefix(checkpointPrefix) else { return nil }
        return segmentIndex(ofName: String(name.dropFirst(checkpointPrefix.count)))
    }
}
