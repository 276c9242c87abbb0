import SundialHTTP

extension ServeConfig {
    /// The `tls:` section as server settings; nil when no certificate is configured (plain HTTP).
    var tlsSettings: TLSSettings? {
        guard !tlsCertFile.isEmpty else { return nil }
        return TLSSettings(certFile: tlsCertFile, keyFile: tlsKeyFile,
                           clientCAFile: tlsClientCAFile.isEmpty ? nil : tlsClientCAFile,
                           minVersion: TLSSettings.MinVersion(rawValue: tlsMinVersion) ?? .tls12)
    }
}
