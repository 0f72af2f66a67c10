import Foundation
import Testing

@testable import NeuralNet

/// The limits a process is given, read from crafted cgroup trees and files (the live
/// cgroup and taskset checks run the binary: DreamEngineTests' ResourceTests).
@Suite struct ResourceLimitsTests {
    @Test func cpuMaxAndCFSFilesParse() {
        #expect(ResourceLimits.parseCPUMax("50000 100000\n") == 0.5)
        #expect(ResourceLimits.parseCPUMax("150000 100000") == 1.5)
        #expect(ResourceLimits.parseCPUMax("max 100000\n") == nil)
        #expect(ResourceLimits.parseCPUMax("200000") == 2)
        #expect(ResourceLimits.parseCPUMax("") == nil)
        #expect(ResourceLimits.parseCPUMax("0 100000") == nil)
        #expect(ResourceLimits.parseCFS(quota: "-1\n", period: "100000\n") == nil)
        #expect(ResourceLimits.parseCFS(quota: "25000\n", period: "100000\n") == 0.25)
        #expect(ResourceLimits.parseCFS(quota: "25000", period: "0") == nil)
        #expect(ResourceLimits.parseMemoryLimit("max\n") == nil)
        #expect(ResourceLimits.parseMemoryLimit("314572800\n") == 314_572_800)
        #expect(ResourceLimits.parseMemoryLimit("9223372036854771712") == 9_223_372_036_854_771_712)
    }

    func tree(_ files: [String: String]) throws -> String {
        let root = NSTemporaryDirectory() + "dream-cgroup-\(UUID().uuidString)"
        for (path, text) in files {
            let full = root + "/" + path
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        return root
    }

    /// cgroup v2: the tightest quota and memory limit of the process's cgroup and its
    /// parents count ("max" means none).
    @Test func v2QuotaAndMemoryComeFromTheTightestAncestor() throws {
        let root = try tree([
            "fs/cgroup.controllers": "cpu memory",
            "fs/cpu.max": "max 100000",
            "fs/slice/cpu.max": "150000 100000",
            "fs/slice/job/cpu.max": "max 100000",
            "fs/slice/job/memory.max": "1073741824",
            "fs/slice/memory.max": "max",
            "self": "0::/slice/job\n",
        ])
        var limits = ResourceLimits()
        limits.cgroupRoot = root + "/fs"
        limits.selfCgroup = root + "/self"
        #expect(limits.cpuQuota() == 1.5)
        #expect(limits.cgroupMemoryLimit() == 1 << 30)
        #expect(limits.memoryLimit().bytes == min(1 << 30, ResourceLimits.physicalMemory))
        let chosen = Parallelism.detected(limits)
        #expect(chosen.workers == min(2, ResourceLimits.affinityCPUs() ?? 2))
    }

    /// cgroup v1 (and hybrid): controllers mounted per name, quota -1 for none; inside a
    /// container the path is "/" and the mount is the container's own cgroup.
    @Test func v1QuotaAndMemoryLimitAreRead() throws {
        let root = try tree([
            "fs/cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
            "fs/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
            "fs/cpu,cpuacct/batch/cpu.cfs_quota_us": "50000\n",
            "fs/cpu,cpuacct/batch/cpu.cfs_period_us": "100000\n",
            "fs/memory/memory.limit_in_bytes": "536870912\n",
            "self": "4:memory:/\n3:cpu,cpuacct:/batch\n1:name=systemd:/\n",
        ])
        var limits = ResourceLimits()
        limits.cgroupRoot = root + "/fs"
        limits.selfCgroup = root + "/self"
        #expect(limits.cpuQuota() == 0.5)
        #expect(limits.cgroupMemoryLimit() == 512 << 20)
        let chosen = Parallelism.detected(limits)
        #expect(chosen == .init(workers: 1, reason: "cgroup CPU quota: 0.5 CPUs"))
    }

    @Test func noCgroupFilesMeanNoLimits() throws {
        var limits = ResourceLimits()
        limits.cgroupRoot = try tree(["fs/unrelated": ""]) + "/fs"
        limits.selfCgroup = limits.cgroupRoot + "/missing"
        #expect(limits.cpuQuota() == nil)
        #expect(limits.cgroupMemoryLimit() == nil)
        #expect(limits.memoryLimit() == (ResourceLimits.physicalMemory, "physical memory"))
    }

    /// The flag wins, then DREAM_THREADS, then what the process is given; bad values are
    /// refused with the source named.
    @Test func flagThenEnvironmentThenDetected() throws {
        #expect(try Parallelism.choose(flag: 3, environment: ["DREAM_THREADS": "5"]).workers == 3)
        #expect(try Parallelism.choose(flag: nil, environment: ["DREAM_THREADS": "5"]).workers == 5)
        #expect(try Parallelism.choose(flag: nil, environment: [:]) == Parallelism.detected(ResourceLimits()))
        #expect(throws: ParallelismError.badThreadCount(source: "DREAM_THREADS", value: "two")) {
            try Parallelism.choose(flag: nil, environment: ["DREAM_THREADS": "two"])
        }
        #expect(throws: ParallelismError.badThreadCount(source: "--threads", value: "0")) {
            try Parallelism.choose(flag: 0, environment: [:])
        }
    }
}
