public import NIOSSL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// TLS for the HTTP server, with the keys of Prometheus's web configuration file
/// (`tls_server_config`: `cert_file`, `key_file`, `client_ca_file`, `min_version`). A `Sendable`
/// value; ``makeConfiguration()`` loads and checks the files once at start-up.
public struct TLSSettings: Sendable, Equatable {
    /// Lowest protocol version accepted (Prometheus `min_version`, default `TLS12`).
    public enum MinVersion: String, Sendable, Equatable, CaseIterable {
        case tls10 = "TLS10"
        case tls11 = "TLS11"
        case tls12 = "TLS12"
        case tls13 = "TLS13"
    }

    /// PEM file with the server certificate, optionally followed by its chain.
    public var certFile: String
    /// PEM file with the certificate's private key.
    public var keyFile: String
    /// PEM file with the CAs that sign client certificates. When set, every client must present a
    /// certificate signed by one of them (mutual TLS, Prometheus `RequireAndVerifyClientCert`).
    public var clientCAFile: String?
    /// Lowest TLS version accepted.
    public var minVersion: MinVersion

    public init(certFile: String, keyFile: String, clientCAFile: String? = nil, minVersion: MinVersion = .tls12) {
        self.certFile = certFile
        self.keyFile = keyFile
        self.clientCAFile = clientCAFile
        self.minVersion = minVersion
    }

    /// A TLS setting that cannot be used, naming the file and why.
    public struct SettingsError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    /// Loads the certificate chain, key and client CAs and checks that the key matches the
    /// certificate (by building a server context once), so a bad file fails at start-up, not at
    /// the first handshake.
    /// - Throws: ``SettingsError`` naming the file (missing, unreadable, not PEM, key mismatch).
    public func makeConfiguration() throws(SettingsError) -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            try Self.checkReadable(certFile, "certificate")
            chain = try NIOSSLCertificate.fromPEMFile(certFile)
        } catch let e as SettingsError {
            throw e
        } catch {
            throw SettingsError(message: "TLS certificate file \(certFile) is not a PEM certificate: \(error)")
        }
        if chain.isEmpty { throw SettingsError(message: "TLS certificate file \(certFile) holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            try Self.checkReadable(keyFile, "key")
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch let e as SettingsError {
            throw e
        } catch {
            throw SettingsError(message: "TLS key file \(keyFile) is not a PEM private key: \(error)")
        }
        var config = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        config.minimumTLSVersion = switch minVersion {
        case .tls10: .tlsv1
        case .tls11: .tlsv11
        case .tls12: .tlsv12
        case .tls13: .tlsv13
        }
        if let ca = clientCAFile {
            let roots: [NIOSSLCertificate]
            do {
                try Self.checkReadable(ca, "client CA")
                roots = try NIOSSLCertificate.fromPEMFile(ca)
            } catch let e as SettingsError {
                throw e
            } catch {
                throw SettingsError(message: "TLS client CA file \(ca) is not a PEM certificate: \(error)")
            }
            if roots.isEmpty { throw SettingsError(message: "TLS client CA file \(ca) holds no certificate") }
            config.trustRoots = .certificates(roots)
            config.certificateVerification = .noHostnameVerification
        } else {
            config.certificateVerification = .none
        }
        do {
            _ = try NIOSSLContext(configuration: config)
        } catch {
            throw SettingsError(message: "TLS key file \(keyFile) does not match certificate file \(certFile) or is unusable: \(error)")
        }
        return config
    }

    private static func checkReadable(_ path: String, _ what: String) throws(SettingsError) {
        if path.isEmpty { throw SettingsError(message: "TLS \(what) file is not set") }
        guard access(path, F_OK) == 0 else { throw SettingsError(message: "TLS \(what) file \(path) does not exist") }
        guard access(path, R_OK) == 0 else { throw SettingsError(message: "TLS \(what) file \(path) is not readable") }
    }
}
