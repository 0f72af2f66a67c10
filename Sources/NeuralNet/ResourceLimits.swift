import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What this process may use, as the kernel tells it: the CPUs of its affinity mask,
/// the CPU quota and memory limit of its cgroup (v2 or v1), the machine's memory.
/// Containers, Kubernetes limits, Slurm allocations and `taskset` all end up here.
public struct ResourceLimits: Sendable {
    /// Where the cgroup file systems are mounted, and the file naming this process's cgroups.
    public var cgroupRoot = "/sys/fs/cgroup"
    public var selfCgroup = "/proc/self/cgroup"

    public init() {}

    /// CPUs in the affinity mask (`taskset`, cpusets), nil where it cannot be read.
    public static func affinityCPUs() -> Int? {
        #if os(Linux)
            // sched_getaffinity is a GNU extension that Glibc's module does not export.
            typealias GetAffinity = @convention(c) (Int32, Int, UnsafeMutableRawPointer?) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_getaffinity") else { return nil }
            let getAffinity = unsafeBitCast(symbol, to: GetAffinity.self)
            // Room for 8,192 CPUs: the call fails if the kernel's mask is larger than the buffer.
            var mask = [UInt64](repeating: 0, count: 128)
            let status = mask.withUnsafeMutableBytes { getAffinity(0, $0.count, $0.baseAddress) }
            guard status == 0 else { return nil }
            let count = mask.reduce(0) { $0 + $1.nonzeroBitCount }
            return count > 0 ? count : nil
        #else
            return nil
        #endif
    }

    /// The cgroup CPU quota in CPUs (0.5 for half a CPU), nil when there is none: the
    /// tightest of cgroup v2 `cpu.max` and v1 `cpu.cfs_quota_us / cpu.cfs_period_us` over
    /// this process's cgroup and its parents.
    public func cpuQuota() -> Double? {
        var quotas: [Double] = []
        for directory in directories(controller: "cpu", version: 2) {
            if let text = read(directory + "/cpu.max"), let quota = Self.parseCPUMax(text) { quotas.append(quota) }
        }
        for directory in directories(controller: "cpu", version: 1) {
            if let quota = read(directory + "/cpu.cfs_quota_us"), let period = read(directory + "/cpu.cfs_period_us"),
                let value = Self.parseCFS(quota: quota, period: period)
            {
                quotas.append(value)
            }
        }
        return quotas.min()
    }

    /// The cgroup memory limit in bytes, nil when there is none: the tightest of v2
    /// `memory.max` and v1 `memory.limit_in_bytes` over this cgroup and its parents.
    public func cgroupMemoryLimit() -> Int? {
        var limits: [Int] = []
        for directory in directories(controller: "memory", version: 2) {
            if let text = read(directory + "/memory.max"), let limit = Self.parseMemoryLimit(text) {
                limits.append(limit)
            }
        }
        for directory in directories(controller: "memory", version: 1) {
            if let text = read(directory + "/memory.limit_in_bytes"), let limit = Self.parseMemoryLimit(text) {
                limits.append(limit)
            }
        }
        return limits.min()
    }

    /// Physical memory of the machine.
    public static var physicalMemory: Int {
        Int(ProcessInfo.processInfo.physicalMemory)
    }

    /// Memory this process may use: its cgroup limit or the machine's memory, whichever is
    /// smaller, with where the figure comes from.
    public func memoryLimit() -> (bytes: Int, source: String) {
        let physical = Self.physicalMemory
        if let limit = cgroupMemoryLimit(), limit < physical { return (limit, "cgroup memory limit") }
        return (physical, "physical memory")
    }

    /// cgroup v2 `cpu.max`: "QUOTA PERIOD" in microseconds, or "max PERIOD" for none.
    public static func parseCPUMax(_ text: String) -> Double? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 1, let quota = Double(fields[0]), quota > 0 else { return nil }
        let period = fields.count >= 2 ? Double(fields[1]) ?? 100_000 : 100_000
        return period > 0 ? quota / period : nil
    }

    /// cgroup v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us`; a quota of -1 means none.
    public static func parseCFS(quota: String, period: String) -> Double? {
        guard let q = Double(quota.trimmingCharacters(in: .whitespacesAndNewlines)), q > 0,
            let p = Double(period.trimmingCharacters(in: .whitespacesAndNewlines)), p > 0
        else { return nil }
        return q / p
    }

    /// v2 `memory.max` ("max" for none) or v1 `memory.limit_in_bytes` (a huge number for
    /// none, which the caller's comparison with physical memory drops).
    public static func parseMemoryLimit(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = UInt64(trimmed), value > 0 else { return nil }
        return Int(min(value, UInt64(Int.max)))
    }

    /// The directories that may hold `controller`'s files for this process, innermost
    /// first: its own cgroup, then each parent up to the mount point. Inside a container
    /// the cgroup path is often "/" and the mount is the container's own cgroup.
    func directories(controller: String, version: Int) -> [String] {
        guard let text = read(selfCgroup) else { return [] }
        var result: [String] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let controllers = fields[1].split(separator: ",").map(String.init)
            let mounts: [String]
            if version == 2 {
                guard fields[0] == "0", fields[1].isEmpty else { continue }
                // Unified hierarchy: at the root on v2 systems, under unified/ on hybrid ones.
                mounts = [cgroupRoot, cgroupRoot + "/unified"].filter { exists($0 + "/cgroup.controllers") }
            } else {
                guard controllers.contains(controller) else { continue }
                mounts = [cgroupRoot + "/" + fields[1], cgroupRoot + "/" + controller].filter { exists($0) }
            }
            guard let mount = mounts.first else { continue }
            var path = String(fields[2])
            while true {
                let directory = path == "/" || path.isEmpty ? mount : mount + path
                if exists(directory) { result.append(directory) }
                if path == "/" || path.isEmpty { break }
                path = (path as NSString).deletingLastPathComponent
            }
        }
        return result
    }

    private func read(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }

    private func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }
}
