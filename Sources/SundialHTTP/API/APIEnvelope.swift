/// Writers for Prometheus's JSON response envelope (`web/api/v1/api.go` `response`):
/// `{"status":"success","data":…,"warnings":[…],"infos":[…]}` or
/// `{"status":"error","errorType":…,"error":…}`. `warnings` and `infos` (Prometheus 3's info
/// annotations) appear only when non-empty.
public enum APIEnvelope {
    /// Starts a success envelope; the caller writes the `data` value next and then calls ``finishSuccess(_:warnings:)``.
    public static func beginSuccess(_ w: inout JSONWriter) {
        w.raw(#"{"status":"success","data":"#)
    }

    /// Closes a success envelope begun with ``beginSuccess(_:)``.
    public static func finishSuccess(_ w: inout JSONWriter, warnings: [String] = [], infos: [String] = []) {
        if !warnings.isEmpty {
            w.raw(#","warnings":"#)
            w.stringArray(warnings)
        }
        if !infos.isEmpty {
            w.raw(#","infos":"#)
            w.stringArray(infos)
        }
        w.raw("}")
    }

    /// A complete error envelope.
    public static func error(_ e: APIError, warnings: [String] = []) -> [UInt8] {
        var w = JSONWriter(capacity: 96 + e.message.utf8.count)
        w.raw(#"{"status":"error","errorType":"#)
        w.string(e.kind.rawValue)
        w.raw(#","error":"#)
        w.string(e.message)
        if !warnings.isEmpty {
            w.raw(#","warnings":"#)
            w.stringArray(warnings)
        }
        w.raw("}")
        return w.bytes
    }

    /// A complete success envelope whose `data` is written by `body`.
    public static func success(capacity: Int = 512, warnings: [String] = [], infos: [String] = [],
                               _ body: (inout JSONWriter) throws -> Void) rethrows -> [UInt8] {
        var w = JSONWriter(capacity: capacity)
        beginSuccess(&w)
        try body(&w)
        finishSuccess(&w, warnings: warnings, infos: infos)
        return w.bytes
    }
}
