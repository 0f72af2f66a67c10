import Foundation
import NeuralNet
import TestSupport
import Testing

/// Every crafted model file (TestSupport's CraftedModels) is refused by the library with
/// one line that starts with the file's path and names the problem.
@Suite struct ForeignModelFileTests {
    @Test(arguments: CraftedModels.names) func refusedByTheLibrary(_ name: String) throws {
        let example = try #require(CraftedModels.cases.first { $0.name == name })
        let folder = try temporaryFolder()
        let path = folder + "/model.safetensors"
        try Data(example.bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try ModelFile.read(contentsOf: path, for: example.requirement)
            Issue.record("\(name): accepted")
        } catch {
            let message = error.errorDescription ?? ""
            #expect(message.hasPrefix(path + ": "), "\(message)")
            #expect(message.contains(example.message), "\(name): \(message)")
            #expect(!message.contains("\n"))
        }
    }

    /// A control: the crafted file, unbroken, loads and fits every command.
    @Test func theCraftedModelIsValidUnbroken() throws {
        let loaded = try ModelFile.decode(
            CraftedModels.modelFile(record: CraftedModels.record, velocity: 7850), path: "m",
            for: .mnistClassifier("evaluate"))
        #expect(loaded.model.parameterCount == 7850)
        #expect(loaded.training?.batchSize == 128)
        #expect(loaded.extraTensors[ModelFile.velocityName]?.count == 7850)
    }
}
