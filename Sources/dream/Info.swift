import ArgumentParser
import Foundation
import NeuralNet

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the version, the workers dream will run and the memory it may use.")

    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        try threadOptions.apply()
        let memory = ResourceLimits().memoryLimit()
        let choice = Parallelism.current
        print("dream \(Dream.configuration.version)")
        print("workers: \(choice.workers) (\(choice.reason))")
        print(String(format: "memory: %.1f GiB (%@)", Double(memory.bytes) / Double(1 << 30), memory.source))
        print("OpenBLAS threads: \(BLAS.threads)")
    }
}
