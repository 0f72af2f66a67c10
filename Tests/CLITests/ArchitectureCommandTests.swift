import Foundation
import Imaging
import TestSupport
import Testing

/// Models of other geometries through the real binary: a 32x32 gray model with 5x5
/// kernels and a 28x28 RGB one render, search OIPs, draw grids and explore at their own
/// size and channels; the commands that score on MNIST shape the digits to the model as
/// `dream train` does (a larger input pads them, a colour one copies them into each channel).
@Suite struct ArchitectureCommandTests {
    @Test(arguments: ["small32", "rgb"]) func commandsTakeTheModelsGeometry(_ name: String) throws {
        let folder = try temporaryFolder()
        let model = folder + "/\(name).safetensors", photo = folder + "/photo.png"
        try ArchitectureModels.write(name, to: model)
        try syntheticPhoto(width: 80, height: 64).write(to: photo)
        let side = name == "small32" ? 32 : 28
        func dream(_ arguments: [String]) throws -> CommandLineTests.Run {
            let run = try CommandLineTests().dream(arguments + ["--model", model])
            #expect(run.status == 0, "\(arguments): \(run.error)")
            return run
        }
        for preset in ["ghost", "tiles"] {
            let out = folder + "/\(preset).png"
            _ = try dream([
                "render", photo, "--preset", preset, "--layer", "conv2", "--maps", "0,1,2,3", "--steps", "3",
                "--octaves", "1", "-o", out, "-q",
            ])
            let image = try Image(contentsOf: out)
            // ghost asks for gray (`color: gray`: a colour model's dream, as luma), tiles keeps colour.
            #expect(image.width == 80 && image.height == 64, "\(preset)")
            #expect(image.channels == (preset == "ghost" ? 1 : 3), "\(preset)")
        }
        _ = try dream(["oip", "--layer", "conv2", "--map", "1", "--steps", "6", "--scale", "2", "-o", folder + "/oip"])
        let pattern = try Image(contentsOf: folder + "/oip/oip-conv2-m1-0.png")
        #expect(pattern.width == 2 * side && pattern.height == 2 * side)
        _ = try dream(["activations", photo, "--layer", "conv1", "-o", folder + "/grid.png"])
        #expect(try Image(contentsOf: folder + "/grid.png").channels == 3)
        _ = try dream([
            "explore", photo, "--layer", "conv2", "--maps", "0-1", "--steps", "2", "--loops", "1", "-o",
            folder + "/explore.png", "-q",
        ])
        #expect(try Image(contentsOf: folder + "/explore.png").width > 0)

        _ = try dream(["sheet", "--layer", "conv2", "--maps", "0-1", "--steps", "6", "-o", folder + "/sheet.png"])
        #expect(FileManager.default.fileExists(atPath: folder + "/sheet.png"))
        let evaluation = try dream(["evaluate", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(evaluation.output.utf8)) as? [String: Any]
        #expect((object?["count"] as? Int) == 10_000, "\(evaluation.output)")
        let prediction = try dream(["predict", "--mnist", "test:0", "--json"])
        #expect(prediction.output.contains("\"probabilities\""), "\(prediction.output)")
    }

    /// A model whose input is smaller than the digits cannot be scored on them: one line
    /// naming both shapes, and no sheet written.
    @Test func aSmallerInputIsRefusedNamingBothShapes() throws {
        let folder = try temporaryFolder()
        let model = folder + "/small.safetensors"
        try Data(CraftedModels.modelFile(input: [20, 20, 1])).write(to: URL(fileURLWithPath: model))
        for refused in [["sheet", "--layer", "dense", "-o", folder + "/sheet.png"], ["evaluate"]] {
            let run = try CommandLineTests().dream(refused + ["--model", model])
            // The crafted file has no dataset record: a note says it is taken as MNIST.
            let errors = run.error.split(separator: "\n").filter { !$0.hasPrefix("note: ") }
            #expect(run.status == 1 && errors.count == 1, "\(refused): \(run.error)")
            #expect(run.error.contains("20x20x1") && run.error.contains("28x28x1"), "\(refused): \(run.error)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/sheet.png"))
    }
}
