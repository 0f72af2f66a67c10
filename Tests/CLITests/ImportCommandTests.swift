import Foundation
import TestSupport
import Testing

/// `dream import` and `dream train --arch` through the binary: the fixtures import, the
/// model prints its spec, and every refusal is one line with nothing written.
@Suite struct ImportCommandTests {
    static let fixtures = repositoryRoot + "/Tests/NeuralNetTests/Fixtures"
    static let arch = "in28x28x1,conv4k3,pool2,conv8k3,pool2,dense10"

    static func statedAccuracy(_ framework: String) throws -> Double {
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: fixtures + "/import-logits.json")))
        return try #require(((json as? [String: Any])?[framework] as? [String: Any])?["accuracy"] as? Double)
    }

    func expectRefused(
        _ run: ProcessRun, saying text: String, status: Int32 = 1, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(run.status == status, "exit \(run.status): \(run.error)", sourceLocation: sourceLocation)
        #expect(run.error.contains(text), "stderr: \(run.error)", sourceLocation: sourceLocation)
        let lines = run.error.split(separator: "\n").filter { !$0.hasPrefix("Usage") && !$0.contains("--help") }
        #expect(lines.count == 1, "stderr: \(run.error)", sourceLocation: sourceLocation)
    }

    @Test(arguments: ["pytorch", "keras"]) func importsAtTheStatedAccuracy(_ framework: String) throws {
        let folder = try temporaryFolder()
        let out = folder + "/\(framework).dream"
        let accuracy = try Self.statedAccuracy(framework)
        let run = try runDream([
            "import", Self.fixtures + "/import-\(framework).safetensors", "--arch", Self.arch, "--layout", framework,
            "-o", out, "--expect-accuracy", String(accuracy),
        ])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("as stated"), "\(run.output)")
        let layers = try runDream(["layers", "--model", out])
        #expect(layers.output.contains("architecture: \(Self.arch)\n"), "\(layers.output)")
    }

    @Test func refusesAnAccuracyThatDoesNotMatch() throws {
        let folder = try temporaryFolder()
        let out = folder + "/m.dream"
        let stated = try Self.statedAccuracy("pytorch") + 0.0015
        let run = try runDream([
            "import", Self.fixtures + "/import-pytorch.safetensors", "--arch", Self.arch, "--layout", "pytorch",
            "-o", out, "--expect-accuracy", String(format: "%.2f%%", 100 * stated),
        ])
        expectRefused(run, saying: "not the \(String(format: "%.2f", 100 * stated))% stated")
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func refusesAWrongArchitectureOrLayout() throws {
        let folder = try temporaryFolder()
        let out = folder + "/m.dream"
        let weights = Self.fixtures + "/import-keras.safetensors"
        expectRefused(
            try runDream(["import", weights, "--arch", "in28x28x1,conv4k,dense10", "--layout", "keras", "-o", out]),
            saying: "architecture spec: item 2 'conv4k' is not understood")
        expectRefused(
            try runDream([
                "import", weights, "--arch", "in28x28x1,conv4k3,pool2,conv8k3,dense10", "--layout", "keras", "-o", out,
            ]),
            saying: "layer dense1 from 'sequential/dense'")
        expectRefused(
            try runDream(["import", weights, "--arch", Self.arch, "--layout", "pytorch", "-o", out]),
            saying: "expected in pytorch layout: conv1 weight [4, 1, 3, 3]")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        // Never over its own input.
        let copy = folder + "/w.safetensors"
        try FileManager.default.copyItem(atPath: weights, toPath: copy)
        expectRefused(
            try runDream(["import", copy, "--arch", Self.arch, "--layout", "keras", "-o", folder + "/./w.safetensors"]),
            saying: "refusing to overwrite an input file")
        #expect(FileManager.default.contentsEqual(atPath: copy, andPath: weights))
    }

    @Test func trainRefusesABadArchitectureBeforeWork() throws {
        let folder = try temporaryFolder()
        expectRefused(
            try runDream(["train", "--arch", "in28x28x1,conv8k3,pool27,dense10", "-o", folder + "/m"]),
            saying: "layer pool1 ('pool27'): its 27x27 window is larger than its 26x26 input")
        expectRefused(
            try runDream(["train", "--arch", "in20x20x1,conv8k3,dense10", "-o", folder + "/m"]),
            saying: "a model of 20x20x1 inputs cannot take them", status: 64)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    /// `train --arch` end to end on a small IDX folder: a colour 32x32 model trains on
    /// the 28x28 gray digits (padded, replicated) and its file records the architecture.
    @Test(.tags(.slow), .skippedByFastRuns) func trainsAColourModelOnGrayDigits() throws {
        let folder = try temporaryFolder()
        let source = repositoryRoot + "/data/mnist"
        for (split, count) in [("train", 256), ("t10k", 128)] {
            for kind in ["images-idx3-ubyte", "labels-idx1-ubyte"] {
                let plain = folder + "/\(split)-\(kind)"
                let raw = try runProcess(
                    "/bin/sh", ["-c", "gzip -dc '\(source)/\(split)-\(kind).gz' > '\(plain)'"], in: folder)
                #expect(raw.status == 0)
                // Keep the header and the first `count` samples, with the count patched.
                var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: plain)))
                let isImages = kind.hasPrefix("images")
                let header = isImages ? 16 : 8
                bytes = Array(bytes[0..<header + count * (isImages ? 784 : 1)])
                bytes[4...7] = [0, 0, UInt8(count >> 8), UInt8(count & 255)][...]
                try Data(bytes).write(to: URL(fileURLWithPath: plain))
            }
        }
        let arch = "in32x32x3,conv8k3,pool2,conv16k3,pool2,dense10"
        let out = folder + "/colour.safetensors"
        let run = try runDream([
            "train", "--arch", arch, "--data", folder, "--epochs", "1", "--batch", "32", "-o", out,
        ])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("epoch 1/1"), "\(run.output)")
        let layers = try runDream(["layers", "--model", out])
        #expect(layers.output.contains("architecture: \(arch)\n"), "\(layers.output)")
        #expect(layers.output.contains("input 32x32x3"), "\(layers.output)")
    }
}
