import Dreaming
import Foundation

/// What one child process cost, measured by the kernel: wait4's rusage is the child's
/// own (the RUSAGE_CHILDREN peak is the largest of all children so far, not this one's).
public struct ChildUsage: Sendable {
    public var wallSeconds: Double
    public var cpuSeconds: Double
    public var peakRSSBytes: Int

    /// Runs `executable` with `arguments` (stdout to /dev/null, stderr shared, so a failure says why)
    /// and waits for it; throws when it does not exit with status 0.
    public static func measure(executable: String, arguments: [String]) throws -> ChildUsage {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        var status: Int32 = 0
        var usage = rusage()
        let start = DispatchTime.now().uptimeNanoseconds
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        var waited: pid_t = -1
        if spawned == 0 {
            repeat { waited = wait4(pid, &status, 0, &usage) } while waited == -1 && errno == EINTR
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // Exited normally with status 0 (WIFEXITED and WEXITSTATUS, spelled out).
        guard waited == pid, status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw DreamError.invalidSetting(
                key: "bench",
                problem:
                    "\(executable) \(arguments.joined(separator: " ")) failed (status \(status)); its message is above")
        }
        let seconds = { (time: timeval) in Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        // ru_maxrss is in KiB on Linux.
        return ChildUsage(
            wallSeconds: wall, cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
            peakRSSBytes: usage.ru_maxrss * 1024)
    }
}
