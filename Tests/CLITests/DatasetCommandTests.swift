import Foundation
import TestSupport
import Testing

/// The bundled Fashion-MNIST model and the dataset record, through the real binary.
@Suite struct DatasetCommandTests {
    static let fashionData = "/usr/share/datasets/fashion-mnist"

    /// Fashion-MNIST is Debian's package; without it these tests fail and say how to get it.
    func requireFashionMNIST() throws {
        guard FileManager.default.fileExists(atPath: Self.fashionData + "/t10k-images-idx3-ubyte.gz") else {
            throw MissingPrerequisite(
                description:
                    "\(Self.fashionData) is missing; run 'make deps' or 'sudo apt-get install dataset-fashion-mnist'"
            )
        }
    }

    /// evaluate tests the fashion model on Fashion-MNIST by default, says so, and gets the
    /// accuracy recorded at training (within 0.1%).
    @Test(.tags(.slow)) func evaluateUsesTheModelsOwnDataset() throws {
        try requireFashionMNIST()
        let run = try runDream(["evaluate", "--model", "fashion", "--json"])
        #expect(run.status == 0, "\(run.error)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "\(run.output)")
        #expect(object["dataset"] as? String == "fashion-mnist")
        #expect(object["data"] as? String == Self.fashionData)
        #expect((object["classes"] as? [String])?.first == "T-shirt/top")
        let accuracy = try #require(object["accuracy"] as? Double)
        let recorded = try #require(object["recordedAccuracy"] as? Double)
        #expect(abs(accuracy - recorded) <= 0.001, "measured \(accuracy), recorded \(recorded)")
        #expect(accuracy > 0.9, "the shipped fashion model is above 90%: \(accuracy)")
    }

    /// MNIST's files given to the fashion model: one line naming both datasets, what to do.
    @Test func mismatchedDataIsAnErrorNamingBoth() throws {
        try requireFashionMNIST()
        let run = try runDream(["evaluate", "--model", "fashion", "--data", "data/mnist"])
        #expect(run.status == 1, "\(run.output)")
        let lines = run.error.split(separator: "\n")
        #expect(lines.count == 1, "\(run.error)")
        #expect(
            run.error.contains("data/mnist holds mnist") && run.error.contains("was trained on fashion-mnist")
                && run.error.contains("--allow-data-mismatch"), "\(run.error)")
    }

    /// `--model fashion` is found from any folder (beside the executable), and predict
    /// names the class: Fashion-MNIST's first test image is an ankle boot.
    @Test func fashionResolvesByNameFromAnotherFolder() throws {
        try requireFashionMNIST()
        let folder = try temporaryFolder()
        let run = try runDream(["predict", "--model", "fashion", "--sample", "test:0"], in: folder)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("(label 9 Ankle boot)"), "\(run.output)")
        #expect(run.output.contains("top class: 9 Ankle boot"), "\(run.output)")
        let unknown = try runDream(["predict", "--model", "fahsion", "--sample", "test:0"], in: folder)
        #expect(unknown.status != 0)
        #expect(unknown.error.contains("no model 'fahsion'") && unknown.error.contains("fashion"), "\(unknown.error)")
    }

    /// A model file without a dataset record (all files before it) still works, taken as
    /// MNIST, and says so once.
    @Test func oldModelWithoutRecordLoadsAsMNIST() throws {
        let folder = try temporaryFolder()
        let path = folder + "/old.safetensors"
        try Data(CraftedModels.modelFile()).write(to: URL(fileURLWithPath: path))
        let run = try runDream(["predict", "--model", path, "--mnist", "test:0"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("input: test:0 (label 7)"), "\(run.output)")
        let notes = run.error.components(separatedBy: "taking it as MNIST").count - 1
        #expect(notes == 1, "\(run.error)")
    }
}
