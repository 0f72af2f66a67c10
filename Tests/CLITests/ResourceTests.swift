import Foundation
import Imaging
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The binary under the limits a machine gives it: the CPUs of `taskset` and a cgroup
/// CPU quota, a cgroup memory limit, and its own peak memory on a large photo.
@Suite(.serialized) struct ResourceTests {

    struct Run {
        var status: Int32
        var output: String
        var error: String
        /// Peak resident memory of the child, in bytes (wait4's ru_maxrss).
        var maxRSS: Int
    }

    /// Runs `/bin/sh -c script` in the repository, with `$DREAM` the binary; waits for it
    /// with wait4, which reports that one child's peak memory.
    func shell(_ script: String, environment: [String: String] = [:]) throws -> Run {
        let binary = try dreamBinary()
        let folder = try temporaryFolder()
        let out = folder + "/out", err = folder + "/err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        env["DREAM"] = binary
        let arguments = ["/bin/sh", "-c", "cd \"\(repositoryRoot)\" && " + script]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let exited = status & 0x7f == 0
        return Run(
            status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f),
            output: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            error: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "", maxRSS: usage.ru_maxrss * 1024)
    }

    /// A prerequisite missing: the test fails with this message (never skips).
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    func fail(_ description: String) -> Missing { Missing(description: description) }

    @Test func tasksetOfOneCPUGivesOneWorker() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset") else {
            throw fail("/usr/bin/taskset is missing (util-linux); it is needed to test the affinity mask")
        }
        let pinned = try shell("taskset -c 0 \"$DREAM\" info")
        #expect(pinned.status == 0, "\(pinned.error)")
        #expect(pinned.output.contains("workers: 1 ("), "\(pinned.output)")
        // The environment and the flag override it, the flag first.
        let env = try shell("taskset -c 0 \"$DREAM\" info", environment: ["DREAM_THREADS": "3"])
        #expect(env.output.contains("workers: 3 (DREAM_THREADS)"), "\(env.output)")
        let flag = try shell("\"$DREAM\" info --threads 2", environment: ["DREAM_THREADS": "3"])
        #expect(flag.output.contains("workers: 2 (--threads)"), "\(flag.output)")
        let bad = try shell("\"$DREAM\" info", environment: ["DREAM_THREADS": "lots"])
        #expect(bad.status != 0 && bad.error.contains("DREAM_THREADS must be a whole number"), "\(bad.error)")
    }

    /// The workers `info` names are the ones that run: the bench reports the count it used
    /// and OpenBLAS's threads (set to match), under the affinity mask and under a flag.
    @Test func benchRunsTheWorkersTheAffinityMaskGives() throws {
        let pinned = try shell("taskset -c 0 \"$DREAM\" bench --only machine --seconds 0.01 --json")
        #expect(pinned.status == 0, "\(pinned.error)")
        let report = try benchReport(pinned.output)
        #expect(report.workers == 1 && report.blasThreads == 1, "\(pinned.output)")
        #expect(report.workersReason.hasPrefix("CPU affinity mask: 1 of"), "\(report.workersReason)")
        let flagged = try benchReport(
            try shell("taskset -c 0 \"$DREAM\" bench --only machine --seconds 0.01 --json --threads 3").output)
        #expect(flagged.workers == 3 && flagged.blasThreads == 3 && flagged.workersReason == "--threads")
    }

    /// A render pinned to one CPU gives the bytes a render on three workers gives (the
    /// photo is large enough for its full-size phases to run in bands).
    @Test func renderPinnedToOneCPUGivesTheSameBytes() throws {
        let folder = try temporaryFolder()
        let render = "--preset tiles --steps 1 samples/flower.jpg -q -o \(folder)"
        let pinned = try shell("taskset -c 0 \"$DREAM\" \(render)/pinned.png")
        let three = try shell("\"$DREAM\" \(render)/three.png --threads 3")
        #expect(pinned.status == 0 && three.status == 0, "\(pinned.error)\(three.error)")
        let a = try Data(contentsOf: URL(fileURLWithPath: folder + "/pinned.png"))
        let b = try Data(contentsOf: URL(fileURLWithPath: folder + "/three.png"))
        #expect(a.count > 10_000 && a == b)
    }

    struct BenchReport: Decodable {
        var workers: Int
        var workersReason: String
        var blasThreads: Int
    }

    func benchReport(_ output: String) throws -> BenchReport {
        try JSONDecoder().decode(BenchReport.self, from: Data(output.utf8))
    }

    /// A cgroup of its own for the child: v2 where the cpu (or memory) controller is on
    /// the unified hierarchy, else v1. Creating one needs root.
    func makeCgroup(_ controller: String, files: [String: String]) throws -> String {
        let name = "dreamtest-\(getpid())-\(UUID().uuidString.prefix(8))"
        let v2 = "/sys/fs/cgroup"
        let controllers = (try? String(contentsOfFile: v2 + "/cgroup.controllers", encoding: .utf8)) ?? ""
        let parent = controllers.split(separator: " ").contains(Substring(controller)) ? v2 : v2 + "/" + controller
        let path = parent + "/" + name
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            for (file, text) in files { try text.write(toFile: path + "/" + file, atomically: false, encoding: .utf8) }
        } catch {
            rmdir(path)
            throw fail(
                "cannot create a \(controller) cgroup at \(path) (needs root and the \(controller) controller): \(error)"
            )
        }
        return path
    }

    @Test func cgroupCPUQuotaOfHalfACPUGivesOneWorker() throws {
        let v2 = ((try? String(contentsOfFile: "/sys/fs/cgroup/cgroup.controllers", encoding: .utf8)) ?? "")
            .contains("cpu")
        let group = try makeCgroup(
            "cpu",
            files: v2 ? ["cpu.max": "50000 100000"] : ["cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "50000"])
        defer { rmdir(group) }
        let run = try shell("echo $$ > \(group)/cgroup.procs && exec \"$DREAM\" info")
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("workers: 1 (cgroup CPU quota: 0.5 CPUs)"), "\(run.output)")
        // And the bench runs that many (with OpenBLAS's threads to match).
        let bench = try shell(
            "echo $$ > \(group)/cgroup.procs && exec \"$DREAM\" bench --only machine --seconds 0.01 --json")
        #expect(bench.status == 0, "\(bench.error)")
        let report = try benchReport(bench.output)
        #expect(report.workers == 1 && report.blasThreads == 1, "\(bench.output)")
        #expect(report.workersReason == "cgroup CPU quota: 0.5 CPUs")
    }

    /// Under a 256 MiB memory limit, a render that needs more is refused at once with one
    /// line that says so, instead of being killed part-way.
    @Test func renderTooLargeForTheMemoryLimitIsRefused() throws {
        let folder = try temporaryFolder()
        try syntheticPhoto(width: 2400, height: 1600).write(to: folder + "/big.png")
        let v2 = ((try? String(contentsOfFile: "/sys/fs/cgroup/cgroup.controllers", encoding: .utf8)) ?? "")
            .contains("memory")
        let group = try makeCgroup(
            "memory", files: [v2 ? "memory.max" : "memory.limit_in_bytes": "\(256 << 20)"])
        defer { rmdir(group) }
        let info = try shell("echo $$ > \(group)/cgroup.procs && exec \"$DREAM\" info")
        #expect(info.output.contains("memory: 0.2 GiB (cgroup memory limit)"), "\(info.output)")
        let run = try shell(
            "echo $$ > \(group)/cgroup.procs && exec \"$DREAM\" --preset conv \(folder)/big.png -o \(folder)/out.png")
        #expect(run.status == 1, "\(run.error)")
        #expect(
            run.error.contains("a 2400x1600 render in conv mode needs about")
                && run.error.contains("(cgroup memory limit); use a smaller photo"), "\(run.error)")
        #expect(run.error.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: folder + "/out.png"))
    }

    /// A 12 MP conv render's peak memory stays within 48 bytes per pixel plus 300 MiB
    /// (the whole-image activations it once held took 9 GB). At the native pattern size,
    /// so the network runs over the full-size octaves, in blocks. Measures a release
    /// binary, the build users run and the bound is about (a debug render of 12 MP takes
    /// minutes), built as the install tests build theirs (`make build` in
    /// .build-install-test: one build for both, incremental once made).
    @Test(.tags(.slow)) func twelveMegapixelConvRenderStaysInItsMemoryBound() throws {
        let scratch = ".build-install-test"
        let make = try shell("make -s build BUILD_DIR=\(scratch) >&2")
        guard make.status == 0 else {
            throw fail("make build failed (\(make.status)): \(make.error.suffix(2000))")
        }
        let release = repositoryRoot + "/\(scratch)/release/dream"
        let folder = try temporaryFolder()
        let (width, height) = (4240, 2832)
        // The sample photo mirrored over 12 MP: real content, made in a blink even in debug.
        let sample = try Image(contentsOf: repositoryRoot + "/samples/flower.jpg")
        var big = Image(width: width, height: height, channels: 3)
        big.pixels.withUnsafeMutableBufferPointer { target in
            sample.pixels.withUnsafeBufferPointer { source in
                // Mirrored at the borders: ..., 2, 1, 0, 1, 2, ...
                func reflect(_ i: Int, _ n: Int) -> Int {
                    let k = i % (2 * (n - 1))
                    return k < n ? k : 2 * (n - 1) - k
                }
                let columns = (0..<width).map { reflect($0, sample.width) }
                for c in 0..<3 {
                    for y in 0..<height {
                        let from =
                            source.baseAddress! + c * sample.planeSize
                            + reflect(y, sample.height) * sample.width
                        let to = target.baseAddress! + (c * height + y) * width
                        for x in 0..<width { to[x] = from[columns[x]] }
                    }
                }
            }
        }
        try big.write(to: folder + "/big.jpg")
        let run = try shell(
            "exec \"\(release)\" --preset conv --pattern-size native --steps 1 \(folder)/big.jpg -o \(folder)/out.png -q"
        )
        #expect(run.status == 0, "\(run.error)")
        // The PNG header's size (IHDR), without decoding 12 MP in a debug test.
        let header = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/out.png")).prefix(24))
        let size = [16, 20].map { at in header[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(size == [width, height])
        let bound = 48 * width * height + 300 << 20
        #expect(run.maxRSS > 100 << 20, "peak \(run.maxRSS >> 20) MiB: too small to be real")
        #expect(run.maxRSS <= bound, "peak \(run.maxRSS >> 20) MiB, bound \(bound >> 20) MiB")
    }
}
