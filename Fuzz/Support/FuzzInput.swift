import Foundation

/// What every harness checks besides "no crash": a refusal is one line that names the
/// input, as the developer guide asks of every error. A broken rule stops the fuzzer
/// like a crash does, with the input saved.
public enum FuzzInput {
    /// Fails the run unless `error` reads as one line that starts with `path`.
    public static func checkMessage(_ error: Error, names path: String) {
        let message = (error as? LocalizedError)?.errorDescription ?? ""
        guard message.hasPrefix(path), !message.contains("\n") else {
            fatalError("error message does not start with '\(path)' on one line: '\(message)' (\(error))")
        }
    }

    /// Fails the run with `what` unless `condition` holds.
    public static func require(_ condition: Bool, _ what: @autoclosure () -> String) {
        if !condition { fatalError(what()) }
    }

    /// The input written to a file that lives as long as the process, for readers that
    /// take a path. In /dev/shm when there is one: no disk traffic per execution.
    public static func file(_ bytes: [UInt8], named name: String) -> String {
        let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(folder)/dream-fuzz-\(getpid())-\(name)"
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            fatalError("cannot write the scratch file \(path)")
        }
        return path
    }
}

extension Array where Element == UInt8 {
    /// libFuzzer's input as bytes.
    public init(fuzzInput data: UnsafePointer<UInt8>, count: Int) {
        self.init(UnsafeBufferPointer(start: data, count: count))
    }
}
