import Foundation

/// Runs another program to completion (promtool, the `sundial` binary) for integration tests.
public enum ChildProcess {
    /// What a finished program printed and how it exited.
    public struct Output: Sendable {
        public var status: Int32
        public var out: String
        public var err: String
    }

    /// Runs `args[0]` with the rest as arguments and waits for it. Standard error is read on another
    /// thread while standard output is read here, so neither pipe can fill up and stall the child.
    public static func run(_ args: [String]) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: args[0])
        p.arguments = Array(args.dropFirst())
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let errData = ErrBox()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errData.data = err.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self),
                      err: String(decoding: errData.data, as: UTF8.self))
    }

    private final class ErrBox: @unchecked Sendable {
        // Written once by the reader thread before `done.signal()`, read after `done.wait()`.
        var data = Data()
    }
}
