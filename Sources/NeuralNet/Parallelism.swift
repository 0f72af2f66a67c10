import Foundation

/// How many workers the process runs: `--threads`, then `DREAM_THREADS`, then the CPUs it
/// is given (its affinity mask, capped by its cgroup CPU quota), not the machine's cores.
/// Results do not depend on it; only the time does.
public enum Parallelism {
    /// A worker count and why.
    public struct Choice: Sendable, Equatable {
        public var workers: Int
        /// "2 cores", "CPU affinity mask: 1 of 2 cores", "cgroup CPU quota: 0.5 CPUs",
        /// "DREAM_THREADS", "--threads".
        public var reason: String
    }

    public static let maximum = 1024

    /// Workers used by default; set through `use`.
    nonisolated(unsafe) public private(set) static var cores: Int = current.workers
    nonisolated(unsafe) public private(set) static var current: Choice =
        (try? choose(flag: nil, environment: ProcessInfo.processInfo.environment))
        ?? detected(ResourceLimits())

    /// The CPUs this process may run on: its affinity mask, capped by the cgroup CPU
    /// quota rounded up (a quota of 1.5 CPUs gets 2 workers), at least one.
    public static func detected(_ limits: ResourceLimits) -> Choice {
        let machine = ProcessInfo.processInfo.activeProcessorCount
        let affinity = ResourceLimits.affinityCPUs() ?? machine
        var choice = Choice(
            workers: affinity,
            reason: affinity < machine ? "CPU affinity mask: \(affinity) of \(machine) cores" : "\(machine) cores")
        if let quota = limits.cpuQuota() {
            let workers = max(1, Int(quota.rounded(.up)))
            if workers < choice.workers {
                choice = Choice(workers: workers, reason: "cgroup CPU quota: \(Self.format(quota)) CPUs")
            }
        }
        return choice
    }

    /// The flag wins, then the environment variable, then what the process is given.
    public static func choose(
        flag: Int?, environment: [String: String], limits: ResourceLimits = ResourceLimits()
    ) throws(ParallelismError) -> Choice {
        if let flag {
            guard (1...maximum).contains(flag) else { throw .badThreadCount(source: "--threads", value: "\(flag)") }
            return Choice(workers: flag, reason: "--threads")
        }
        if let text = environment["DREAM_THREADS"], !text.isEmpty {
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), (1...maximum).contains(value) else {
                throw .badThreadCount(source: "DREAM_THREADS", value: text)
            }
            return Choice(workers: value, reason: "DREAM_THREADS")
        }
        return detected(limits)
    }

    /// Makes `choice` the default worker count, and OpenBLAS's thread count where it runs
    /// multi-threaded (one large GEMM; the data-parallel paths set it to one per worker).
    public static func use(_ choice: Choice) {
        current = choice
        cores = choice.workers
        BLAS.setThreads(choice.workers)
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2g", value)
    }
}

/// A worker count given by the user that cannot be used.
public enum ParallelismError: Error, LocalizedError, Equatable {
    case badThreadCount(source: String, value: String)

    public var errorDescription: String? {
        switch self {
        case .badThreadCount(let source, let value):
            return "\(source) must be a whole number from 1 to \(Parallelism.maximum), not '\(value)'"
        }
    }
}
