/// Tenant identifiers, validated as Cortex/Mimir validate `X-Scope-OrgID`
/// (`pkg/tenant/tenant.go` `ValidTenantID`): 1–150 bytes from `[A-Za-z0-9!._*'()-]`, and not
/// `.` or `..` (a tenant ID names a directory in isolated mode). Pure; thread-safe.
public enum TenantID {
    /// Longest tenant ID in bytes (inclusive), Cortex's `MaxTenantIDLength`.
    public static let maxLength = 150

    /// Why `id` is not a valid tenant ID, or nil when it is valid.
    public static func validationError(_ id: String) -> String? {
        let n = id.utf8.count
        if n == 0 { return "tenant ID is empty" }
        if n > maxLength { return "tenant ID is \(n) bytes long, more than the maximum of \(maxLength)" }
        if id == "." || id == ".." { return "tenant ID must not be \"\(id)\"" }
        for b in id.utf8 where !isAllowed(b) {
            let shown = b >= 0x20 && b < 0x7f ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x\(String(b, radix: 16))"
            return "tenant ID contains \(shown); allowed are letters, digits and ! - _ . * ' ( )"
        }
        return nil
    }

    /// True for `[A-Za-z0-9!._*'()-]`.
    @inline(__always)
    static func isAllowed(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "*"),
             UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"):
            true
        default:
            false
        }
    }
}
