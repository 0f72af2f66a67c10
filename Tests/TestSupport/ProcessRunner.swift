import Foundation

/// What a finished child process left: its exit status and everything it printed.
public struct ProcessRun: Sendable {
    public var status: Int32
    public var output: String
    public var error: String
}

/// Runs `executable` in `folder` and waits for it. Output goes to files, not pipes, so a
/// chatty child (make, a release build) never blocks on a full pipe. `environment` nil
/// inherits ours; otherwise the child gets exactly that environment.
public func runProcess(
    _ executable: String, _ arguments: [String], in folder: String, environment: [String: String]? = nil
) throws -> ProcessRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    if let environment { process.environment = environment }
    let logs = try temporaryFolder()
    _ = FileManager.default.createFile(atPath: logs + "/out", contents: nil)
    _ = FileManager.default.createFile(atPath: logs + "/err", contents: nil)
    process.standardOutput = FileHandle(forWritingAtPath: logs + "/out")
    process.standardError = FileHandle(forWritingAtPath: logs + "/err")
    try process.run()
    process.waitUntilExit()
    return ProcessRun(
        status: process.terminationStatus,
        output: try String(contentsOfFile: logs + "/out", encoding: .utf8),
        error: try String(contentsOfFile: logs + "/err", encoding: .utf8))
}

/// The debug `dream` binary that `swift test` builds, run in the repository root (or `folder`).
public func runDream(_ arguments: [String], in folder: String = repositoryRoot) throws -> ProcessRun {
    try runProcess(try dreamBinary(), arguments, in: folder)
}
