import ArgumentParser
import Foundation
import NeuralNet

/// `--threads N`: the worker count, over DREAM_THREADS and the CPUs the process is given.
struct ThreadOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Workers to run (default: DREAM_THREADS, else the CPUs this process may use). Results do not depend on it.",
            valueName: "n"))
    var threads: Int?

    func validate() throws {
        do {
            _ = try choice()
        } catch {
            throw ValidationError(error.errorDescription ?? "\(error)")
        }
    }

    func choice() throws(ParallelismError) -> Parallelism.Choice {
        try Parallelism.choose(flag: threads, environment: ProcessInfo.processInfo.environment)
    }

    /// Call first in `run()`.
    func apply() throws {
        Parallelism.use(try choice())
    }
}
