import Foundation
import NeuralNet
import TestSupport
import Testing

/// The architecture spec language: canonical text round-trips, the bundled model is the
/// default, malformed and impossible specs are refused in one line naming the item, and
/// other architectures (wider, 32x32, colour) train.
@Suite struct ArchitectureSpecTests {
    static let canonical = [
        ArchitectureSpec.bundled,
        "in32x32x1,conv8k5,pool2,conv16k3,pool2,dense32,dense10",
        "in28x28x3,conv6k3x5:linear,pool3x2,dense10",
        "in12x12x2,conv4k1,dense16:linear,dense8,dense10",
        "in5x5x1,dense10",
    ]

    @Test(arguments: canonical) func printsBackTheSameText(_ text: String) throws {
        let spec = try ArchitectureSpec(parsing: text)
        #expect(spec.description == text)
        #expect(try ArchitectureSpec(parsing: spec.description) == spec)
        // And through a built network, as `dream layers` prints it.
        #expect(try Sequential(spec).architecture.description == text)
    }

    /// Shorthands parse to the canonical form (default kernel 3, window 2, relu).
    @Test func shorthandsTakeTheDefaults() throws {
        let spec = try ArchitectureSpec(parsing: "in28x28x1,conv32,pool,conv64:relu,pool2,conv128k3x3,dense100,dense10")
        #expect(spec.description == ArchitectureSpec.bundled)
    }

    /// `dream train` without --arch must train exactly today's network (same layers, same
    /// names, same initialisation, so the same bytes).
    @Test func theDefaultIsTheBundledArchitecture() throws {
        let spec = try ArchitectureSpec(parsing: ArchitectureSpec.bundled)
        let seed = Sequential.mnistCNN()
        #expect(spec.input == seed.inputShape)
        #expect(spec.layers == seed.specs)
        let bundled = try bundledModel()
        #expect(bundled.architecture.description == ArchitectureSpec.bundled)
        let a = try Sequential(spec), b = Sequential.mnistCNN()
        a.initialize(seed: 7)
        b.initialize(seed: 7)
        #expect(a.parameters.array(count: a.parameterCount) == b.parameters.array(count: b.parameterCount))
    }

    static let refused: [(spec: String, message: String)] = [
        ("", "item 1 '' is not understood; write an input shape like in28x28x1"),
        ("conv32,dense10", "item 1 'conv32' is not understood"),
        ("in28x28,conv32,dense10", "item 1 'in28x28'"),
        ("in28x28x1", "has no layers"),
        ("in28x28x1,conv32k,dense10", "item 2 'conv32k' is not understood; write inHxWxC first"),
        ("in28x28x1,conv0,dense10", "item 2 'conv0'"),
        ("in28x28x1,pool2,dense10:relu", "item 3 'dense10:relu'"),
        ("in28x28x1,conv8:softmax,dense10", "item 2 'conv8:softmax'"),
        ("in28x28x1,conv8:tanh,dense10", "item 2 'conv8:tanh'"),
        ("in28x28x1,conv8,,dense10", "item 3 ''"),
        ("in28x28x1,flatten,dense10", "item 2 'flatten'"),
        ("in28x28x1,conv8,pool2", "the last layer 'pool2' is not a dense layer"),
        ("in28x28x1,dense10,conv8,dense10", "'conv8' (item 3) follows a dense layer"),
        ("in28x28x1,conv8k29,dense10", "layer conv1 ('conv8k29'): its 29x29 kernel is larger than its 28x28 input"),
        (
            "in28x28x1,conv8,pool2,conv8,pool2,conv8,pool2,conv8,dense10",
            "layer conv4 ('conv8'): its 3x3 kernel is larger than its 1x1 input"
        ),
        ("in8x8x1,pool3,pool3,dense10", "layer pool2 ('pool3'): its 3x3 window is larger than its 2x2 input"),
        ("in5000x5000x1,dense10", "is outside 1...4096 per side"),
        ("in28x28x1,conv5000,dense10", "layer conv1: conv2d needs a filter count in 1...4096"),
    ]

    @Test(arguments: refused) func refusesInOneLine(_ example: (spec: String, message: String)) {
        do {
            _ = try ArchitectureSpec(parsing: example.spec)
            Issue.record("'\(example.spec)' was accepted")
        } catch {
            let text = error.errorDescription ?? ""
            #expect(text.hasPrefix("architecture spec: "), "\(text)")
            #expect(text.contains(example.message), "\(text)")
            #expect(!text.contains("\n"))
        }
    }

    /// Pads MNIST's 28x28 gray digits into a larger or colour input: the digit centred, the
    /// border zero, every channel the gray value.
    @Test func adaptsDigitsToLargerAndColourInputs() throws {
        let data = MNISTDataset(images: (0..<2 * 784).map { Float($0 % 251) / 251 }, labels: [3, 4])
        let padded = try #require(data.adapted(to: FeatureShape(height: 32, width: 30, channels: 3)))
        #expect(padded.shape == FeatureShape(height: 32, width: 30, channels: 3))
        #expect(padded.images.count == 2 * 32 * 30 * 3)
        for n in 0..<2 {
            for y in 0..<32 {
                for x in 0..<30 {
                    let inside = (2..<30).contains(y) && (1..<29).contains(x)
                    let expected = inside ? data.images[n * 784 + (y - 2) * 28 + (x - 1)] : 0
                    for c in 0..<3 { #expect(padded.images[n * 2880 + (y * 30 + x) * 3 + c] == expected) }
                }
            }
        }
        #expect(data.adapted(to: FeatureShape(height: 27, width: 28, channels: 1)) == nil)
        #expect(data.adapted(to: MNISTDataset.fileShape)?.images == data.images)
    }

    /// One short epoch on a few hundred digits for three architectures: the loss falls
    /// below chance (ln 10 = 2.30) and the checkpoint reloads with the same architecture.
    @Test(
        .tags(.slow), .skippedByFastRuns,
        arguments: [
            "in28x28x1,conv8k5,pool2,conv16k3,pool2,dense32,dense10",
            "in32x32x1,conv8k3,pool2,conv16k3,pool2,conv16k3,dense10",
            "in28x28x3,conv8k3,pool2,conv16k3,pool2,dense10",
        ])
    func trainsOtherArchitectures(_ text: String) throws {
        let spec = try ArchitectureSpec(parsing: text)
        let model = try Sequential(spec)
        model.initialize(seed: 3)
        let folder = repositoryRoot + "/data/mnist"
        let train = try #require(MNISTDataset(directory: folder, split: .test).prefix(600).adapted(to: spec.input))
        let test = try #require(MNISTDataset(directory: folder, split: .train).prefix(200).adapted(to: spec.input))
        var settings = Trainer.Settings()
        settings.epochs = 3
        // 57 batches in all: the default 200-batch warm-up would still be climbing.
        settings.warmupBatches = 0
        settings.batchSize = 32
        let trainer = try Trainer(model: model, settings: settings)
        let out = try temporaryFolder() + "/model.safetensors"
        let results = try trainer.run(
            train: train, test: test, datasetName: "mnist", checkpointPath: out, progress: { _ in },
            epochDone: { _ in }, shouldStop: { false })
        #expect(results.count == 3)
        #expect(results.last!.loss < 1.5, "\(text): loss \(results.map(\.loss))")
        #expect(results.last!.testAccuracy > 0.5, "\(text): accuracy \(results.map(\.testAccuracy))")
        let loaded = try ModelFile.read(contentsOf: out)
        #expect(loaded.model.architecture == spec)
    }
}
