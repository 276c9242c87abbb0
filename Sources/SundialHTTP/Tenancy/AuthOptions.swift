/// Who an authenticated request acts as.
public enum AuthRole: Sendable, Hashable, CustomStringConvertible {
    /// A principal bound to one tenant: it acts as that tenant (a tenant header naming another
    /// tenant is refused with 403) and may not use the admin endpoints.
    case tenant(String)
    /// An operator: may name any tenant in the tenant header and use the admin endpoints.
    case admin

    public var description: String {
        switch self {
        case .tenant(let t): "tenant \(t)"
        case .admin: "admin"
        }
    }
}

/// Credentials accepted by the server (the config file's `auth:` section). Empty (the default):
/// authentication is off and every request is anonymous. `Sendable` value type. Secrets are
/// never logged nor shown by `/api/v1/status/config`.
public struct AuthOptions: Sendable, Hashable {
    /// One accepted bearer token (`Authorization: Bearer <token>`).
    public struct BearerToken: Sendable, Hashable {
        /// The token (non-empty).
        public var token: String
        /// What the token acts as.
        public var role: AuthRole
        public init(token: String, role: AuthRole) {
            self.token = token
            self.role = role
        }
    }

    /// One accepted basic-auth user (`Authorization: Basic base64(user:password)`, RFC 7617).
    public struct BasicUser: Sendable, Hashable {
        /// The user name (non-empty, without `:`).
        public var username: String
        /// The password (non-empty).
        public var password: String
        /// What the user acts as.
        public var role: AuthRole
        public init(username: String, password: String, role: AuthRole) {
            self.username = username
            self.password = password
            self.role = role
        }
    }

    public var bearerTokens: [BearerToken] = []
    public var basicUsers: [BasicUser] = []

    public init(bearerTokens: [BearerToken] = [], basicUsers: [BasicUser] = []) {
        self.bearerTokens = bearerTokens
        self.basicUsers = basicUsers
    }

    /// True when any credential is configured (every request except the probes then needs one).
    public var isEnabled: Bool { !bearerTokens.isEmpty || !basicUsers.isEmpty }
}

/// Checks a request's `Authorization` header against ``AuthOptions``. Secrets are kept only as
/// SHA-256 digests; a presented credential is digested and compared with every configured digest
/// in constant time and without stopping at a match, so timing reveals neither the secrets, their
/// lengths, nor which entry matched. Immutable; thread-safe.
final class Authenticator: Sendable {
    struct Entry: Sendable {
        var user: [UInt8]
        var secret: [UInt8]
        var role: AuthRole
    }

    let bearer: [Entry]
    let basic: [Entry]

    init(_ options: AuthOptions) {
        bearer = options.bearerTokens.map { Entry(user: [], secret: SHA256.hash($0.token.utf8), role: $0.role) }
        basic = options.basicUsers.map {
            Entry(user: SHA256.hash($0.username.utf8), secret: SHA256.hash($0.password.utf8), role: $0.role)
        }
    }

    /// The `WWW-Authenticate` challenges of a 401 (RFC 6750 section 3, RFC 7617 section 2).
    var challenges: [String] {
        var c: [String] = []
        if !bearer.isEmpty { c.append(#"Bearer realm="sundial""#) }
        if !basic.isEmpty { c.append(#"Basic realm="sundial", charset="UTF-8""#) }
        return c
    }

    /// The role of the credentials in `authorization` (the header's value), or nil when absent,
    /// malformed or not accepted.
    func authenticate(_ authorization: String?) -> AuthRole? {
        guard let authorization else { return nil }
        let bytes = Array(authorization.utf8)
        guard let space = bytes.firstIndex(of: UInt8(ascii: " ")) else { return nil }
        let scheme = String(decoding: bytes[..<space], as: UTF8.self).lowercased()
        var rest = bytes[(space + 1)...]
        while rest.first == UInt8(ascii: " ") { rest = rest.dropFirst() }
        switch scheme {
        case "bearer":
            guard !bearer.isEmpty, !rest.isEmpty else { return nil }
            let d = SHA256.hash(rest)
            var found: AuthRole? = nil
            for e in bearer where SHA256.constantTimeEqual(d, e.secret) && found == nil { found = e.role }
            return found
        case "basic":
            guard !basic.isEmpty, let decoded = Base64.decode(rest),
                  let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            let du = SHA256.hash(decoded[..<colon]), dp = SHA256.hash(decoded[(colon + 1)...])
            var found: AuthRole? = nil
            for e in basic {
                // Both comparisons always run, for every entry.
                let userOK = SHA256.constantTimeEqual(du, e.user)
                let passwordOK = SHA256.constantTimeEqual(dp, e.secret)
                if userOK && passwordOK && found == nil { found = e.role }
            }
            return found
        default:
            return nil
        }
    }
}

/// Standard base64 (RFC 4648 section 4) decoding, padding optional. Pure.
enum Base64 {
    /// The decoded bytes, or nil for a character outside the alphabet or a bad length.
    static func decode(_ s: some Collection<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(s.count * 3 / 4)
        var acc: UInt32 = 0, bits = 0, pad = 0
        for c in s {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="):
                pad += 1
                continue
            default: return nil
            }
            if pad > 0 { return nil }  // data after padding
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
                acc &= (1 << UInt32(bits)) - 1
            }
        }
        if bits >= 6 || pad > 2 { return nil }
        return out
    }
}
