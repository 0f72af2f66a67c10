import Foundation
import TestSupport
import Testing

/// Every crafted model file (TestSupport's CraftedModels), given to each command that
/// would use it: exit status 1, no signal, one line naming the file and the problem,
/// nothing written, the file untouched (train --resume must not overwrite it).
@Suite struct ForeignModelCommandTests {
    @Test(arguments: CraftedModels.names) func refusedByEveryCommand(_ name: String) throws {
        let example = try #require(CraftedModels.cases.first { $0.name == name })
        let folder = try temporaryFolder()
        let path = folder + "/model.safetensors"
        try Data(example.bytes).write(to: URL(fileURLWithPath: path))
        for command in example.commands {
            let arguments = command + (command.first == "train" ? ["-o", path] : ["--model", path])
            let run = try CommandLineTests().dream(arguments)
            #expect(!run.signaled, "\(arguments): killed by signal \(run.status)")
            #expect(run.status == 1, "\(arguments): exit \(run.status); \(run.error)")
            let lines = run.error.split(separator: "\n")
            #expect(lines.count == 1, "\(arguments): one line, got \(run.error)")
            #expect(
                run.error.contains("\(path): ") && run.error.contains(example.message),
                "\(arguments): \(run.error)")
        }
        #expect(!FileManager.default.fileExists(atPath: CraftedModels.neverWritten))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(example.bytes))
    }
}
