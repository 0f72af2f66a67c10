import Foundation
import NeuralNet
import TestSupport
import Testing

@Suite struct DeadMapTests {
    static let mnist = repositoryRoot + "/data/mnist"

    /// Each map's largest mean response to one of `images`, one image at a time through the
    /// plain im2col network: independent of `MapActivity`'s batched Winograd replicas.
    static func maxima(model: Sequential, layer: Int, data: MNISTDataset, indices: [Int]) throws -> [Float] {
        let shape = try model.outputShapes(for: model.inputShape)[layer]
        var top = [Float](repeating: -.infinity, count: shape.channels)
        try data.images.withUnsafeBufferPointer { images in
            for n in indices {
                try model.forward(images.baseAddress! + n * 784, batch: 1, through: layer)
                let out = model.layers[layer].output
                var sums = [Double](repeating: 0, count: shape.channels)
                for i in 0..<shape.count { sums[i % shape.channels] += Double(out[i]) }
                let positions = Double(shape.count / shape.channels)
                for m in 0..<shape.channels { top[m] = max(top[m], Float(sums[m] / positions)) }
            }
        }
        return top
    }

    static func bias(_ model: Sequential, _ layer: String) -> UnsafeMutablePointer<Float> {
        let view = model.tensors.first { $0.name == layer + ".bias" }!
        return model.parameters.pointer + view.offset
    }

    @Test func reportMatchesAnIndependentCount() throws {
        let train = try MNISTDataset(directory: Self.mnist, split: .train)
        let model = try bundledModel()
        // Two conv2 maps and a dense1 unit forced silent, so there is something to find.
        Self.bias(model, "conv2")[8] = -1000
        Self.bias(model, "conv2")[35] = -1000
        Self.bias(model, "dense1")[3] = -1000
        let probe = MapActivity.probeIndices(count: train.count, size: 300, seed: 4)
        #expect(probe.count == 300 && Set(probe).count == 300 && probe == probe.sorted())
        #expect(probe == MapActivity.probeIndices(count: train.count, size: 300, seed: 4))
        let one = MapActivity(
            parallel: DataParallel(model: model, workers: 1, convolution: .winograd), data: train, indices: probe)
        let two = MapActivity(
            parallel: DataParallel(model: model, workers: 2, convolution: .winograd), data: train, indices: probe)
        #expect(one == two, "the report does not depend on the worker count")
        #expect(one.layers.map(\.name) == ["conv1", "conv2", "conv3", "dense1", "dense2"])
        for layer in one.layers {
            let reference = try Self.maxima(model: model, layer: layer.index, data: train, indices: probe)
            let worst = zip(reference, layer.maxima).map { abs($0 - $1) / max(1, abs($0)) }.max()!
            #expect(worst < 1e-4, "\(layer.name) maxima differ by \(worst)")
            let threshold = max(1e-7, 1e-4 * reference.max()!)
            let dead = layer.name == "dense2" ? [] : reference.indices.filter { reference[$0] <= threshold }
            #expect(layer.dead == dead, "\(layer.name)")
        }
        #expect(one.layers[1].dead.contains(8) && one.layers[1].dead.contains(35) && one.layers[3].dead.contains(3))
        #expect(one.summary.hasPrefix("conv1 "))
    }

    /// A network with maps forced dead (biases of -1000: no gradient ever reaches them)
    /// trains one short epoch; the trainer reports them and brings them back.
    @Test func forcedDeadMapsAreReportedAndRevived() throws {
        let folder = try temporaryFolder()
        let train = try MNISTDataset(directory: Self.mnist, split: .train).prefix(640)
        let test = try MNISTDataset(directory: Self.mnist, split: .test).prefix(100)
        let model = Sequential.mnistCNN()
        model.initialize(seed: 3)
        let forced: [String: [Int]] = ["conv1": [4], "conv2": [8, 35], "conv3": [100], "dense1": [3, 99]]
        for (layer, maps) in forced { for m in maps { Self.bias(model, layer)[m] = -1000 } }
        var settings = Trainer.Settings()
        settings.epochs = 1
        settings.probeSize = 200
        var results: [Trainer.EpochResult] = []
        _ = try Trainer(model: model, settings: settings).run(
            train: train, test: test, datasetName: "mnist", checkpointPath: folder + "/m.safetensors",
            progress: { _ in }, epochDone: { results.append($0) }, shouldStop: { false })
        let result = try #require(results.first)
        for (layer, maps) in forced {
            let entry = try #require(result.activity.layers.first { $0.name == layer })
            #expect(maps.allSatisfy(entry.dead.contains), "\(layer) reports \(entry.dead)")
            #expect(result.revived[layer] == entry.dead)
        }
        // The checkpoint holds the revived network and says what was found.
        let saved = try ModelFile.read(contentsOf: folder + "/m.safetensors")
        let record = try #require(saved.training?.deadMaps)
        #expect(record.first { $0.layer == "conv2" }?.dead == result.activity.layers[1].dead)
        #expect(saved.training?.reviveDeadMaps == true)
        let probe = MapActivity.probeIndices(count: train.count, size: 200, seed: settings.seed)
        let after = MapActivity(
            parallel: DataParallel(model: saved.model, workers: 1), data: train, indices: probe)
        #expect(after.deadCount == 0, "still dead: \(after.summary)")
        for (layer, maps) in forced {
            let entry = after.layers.first { $0.name == layer }!
            for m in maps { #expect(entry.maxima[m] > 1e-3, "\(layer) map \(m) peaks at \(entry.maxima[m])") }
        }
        // conv3 reads revived conv2 map 8 with zero weights (the network's outputs do not
        // jump), except in the new filters of conv3's own revived maps.
        let conv3 = saved.model.tensors.first { $0.name == "conv3.weight" }!
        let w = saved.model.parameters.pointer + conv3.offset
        let renewed = Set(result.revived["conv3"] ?? [])
        let reads = stride(from: 8, to: 9 * 64, by: 64).flatMap { row in
            (0..<128).filter { !renewed.contains($0) }.map { w[row * 128 + $0] }
        }
        #expect(reads.count >= 9 * 100 && reads.allSatisfy { $0 == 0 })
    }

    /// Training (with dead maps found and revived) gives the same bytes on 1 and 2 workers.
    @Test func trainingIsTheSameOnAnyWorkerCount() throws {
        let folder = try temporaryFolder()
        let train = try MNISTDataset(directory: Self.mnist, split: .train).prefix(600)
        let test = try MNISTDataset(directory: Self.mnist, split: .test).prefix(100)
        var settings = Trainer.Settings()
        settings.epochs = 2
        settings.batchSize = 100
        settings.probeSize = 300
        settings.warmupBatches = 3
        var revivals = 0
        for workers in [1, 2] {
            let model = Sequential.mnistCNN()
            model.initialize(seed: 11)
            Self.bias(model, "conv2")[7] = -1000
            _ = try Trainer(model: model, settings: settings, workers: workers).run(
                train: train, test: test, datasetName: "mnist",
                checkpointPath: folder + "/w\(workers).safetensors", progress: { _ in },
                epochDone: { revivals += $0.revived.values.reduce(0) { $0 + $1.count } }, shouldStop: { false })
        }
        #expect(revivals >= 2, "a map was revived in both runs")
        let one = try Data(contentsOf: URL(fileURLWithPath: folder + "/w1.safetensors"))
        let two = try Data(contentsOf: URL(fileURLWithPath: folder + "/w2.safetensors"))
        #expect(one == two)
    }

    /// Every map of every layer of the bundled model fires on some of the 10,000 test digits.
    @Test func bundledModelHasNoDeadMapOnTheTestSet() throws {
        let test = try MNISTDataset(directory: Self.mnist, split: .test)
        let model = try bundledModel()
        let activity = MapActivity(
            parallel: DataParallel(model: model, convolution: .winograd), data: test, indices: Array(0..<test.count))
        #expect(activity.deadCount == 0, "dead on the test set: \(activity.summary)")
        let record = try ModelFile.read(contentsOf: repositoryRoot + "/models/mnist-cnn.safetensors").training
        #expect(record?.deadMaps?.allSatisfy { $0.dead.isEmpty } == true, "the training record lists no dead map")
    }
}
