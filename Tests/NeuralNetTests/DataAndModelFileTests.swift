import CZlib
import Foundation
import TestSupport
import Testing

@testable import NeuralNet

/// An IDX file's bytes: magic, big-endian dimensions, data.
func idx(rank: Int, dimensions: [Int], data: [UInt8], magicType: UInt8 = 0x08) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, magicType, UInt8(rank)]
    for d in dimensions { bytes += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
    return bytes + data
}

func gzip(_ bytes: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    deflateInit2_(
        &stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
        Int32(MemoryLayout<z_stream>.size))
    var input = bytes
    var output = [UInt8](repeating: 0, count: bytes.count + 1024)
    input.withUnsafeMutableBufferPointer { i in
        output.withUnsafeMutableBufferPointer { o in
            stream.next_in = i.baseAddress
            stream.avail_in = UInt32(i.count)
            stream.next_out = o.baseAddress
            stream.avail_out = UInt32(o.count)
            deflate(&stream, Z_FINISH)
        }
    }
    let count = Int(stream.total_out)
    deflateEnd(&stream)
    return Array(output[0..<count])
}

@Suite struct IDXTests {
    func write(_ bytes: [UInt8], _ name: String, in folder: String) throws -> String {
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func readsPlainAndGzipFiles() throws {
        let folder = try temporaryFolder()
        let bytes = idx(rank: 1, dimensions: [5], data: [0, 1, 2, 3, 9])
        for (name, data) in [("plain", bytes), ("zipped.gz", gzip(bytes))] {
            let file = try IDXFile(contentsOf: try write(data, name, in: folder), rank: 1)
            #expect(file.dimensions == [5] && file.bytes == [0, 1, 2, 3, 9])
        }
    }

    @Test func everyCorruptionHasItsError() throws {
        let folder = try temporaryFolder()
        let good = idx(rank: 3, dimensions: [2, 2, 2], data: Array(0..<8))
        func expect(_ bytes: [UInt8], rank: Int = 3, _ check: (IDXError) -> Bool) throws {
            let path = try write(bytes, "f\(UUID().uuidString)", in: folder)
            do {
                _ = try IDXFile(contentsOf: path, rank: rank)
                Issue.record("accepted")
            } catch {
                #expect(check(error), "\(error)")
                #expect(error.errorDescription!.contains(path))
            }
        }
        try expect(Array(good.dropLast(3))) { if case .truncated = $0 { true } else { false } }
        try expect(good + [7]) { if case .trailingBytes = $0 { true } else { false } }
        try expect(idx(rank: 3, dimensions: [2, 2, 2], data: Array(0..<8), magicType: 0x0D)) {
            if case .badMagic = $0 { true } else { false }
        }
        try expect(good, rank: 1) { if case .wrongRank(_, 1, 3) = $0 { true } else { false } }
        try expect(idx(rank: 3, dimensions: [0, 2, 2], data: [])) {
            if case .badDimensions = $0 { true } else { false }
        }
        try expect(Array(gzip(good).dropLast(12))) { if case .corruptGzip = $0 { true } else { false } }
        try expect([0x1F, 0x8B, 8, 0, 1, 2, 3, 4, 5, 6]) { if case .corruptGzip = $0 { true } else { false } }
        try expect([0, 0]) { if case .truncated = $0 { true } else { false } }
        #expect(throws: IDXError.unreadable(path: folder + "/missing", reason: "no such file")) {
            try IDXFile(contentsOf: folder + "/missing", rank: 1)
        }
    }

    @Test func datasetChecksImagesAgainstLabels() throws {
        let folder = try temporaryFolder()
        let images = idx(rank: 3, dimensions: [2, 28, 28], data: [UInt8](repeating: 255, count: 2 * 784))
        _ = try write(images, "t10k-images-idx3-ubyte", in: folder)
        _ = try write(idx(rank: 1, dimensions: [3], data: [1, 2, 3]), "t10k-labels-idx1-ubyte", in: folder)
        #expect(throws: IDXError.self) { try MNISTDataset(directory: folder, split: .test) }
        _ = try write(idx(rank: 1, dimensions: [2], data: [1, 12]), "t10k-labels-idx1-ubyte", in: folder)
        do {
            _ = try MNISTDataset(directory: folder, split: .test)
            Issue.record("accepted label 12")
        } catch {
            #expect(error.errorDescription!.contains("label 12"))
        }
        _ = try write(idx(rank: 1, dimensions: [2], data: [1, 7]), "t10k-labels-idx1-ubyte", in: folder)
        let data = try MNISTDataset(directory: folder, split: .test)
        #expect(data.count == 2 && data.images.allSatisfy { $0 == 1 } && data.labels == [1, 7])
        _ = try write(
            idx(rank: 3, dimensions: [2, 27, 28], data: [UInt8](repeating: 0, count: 2 * 27 * 28)),
            "t10k-images-idx3-ubyte", in: folder)
        #expect(throws: IDXError.self) { try MNISTDataset(directory: folder, split: .test) }
    }

    @Test func vendoredMNISTIsComplete() throws {
        let train = try MNISTDataset(directory: repositoryRoot + "/data/mnist", split: .train)
        let test = try MNISTDataset(directory: repositoryRoot + "/data/mnist", split: .test)
        #expect(train.count == 60_000 && test.count == 10_000)
        #expect(Set(test.labels) == Set(0...9))
    }
}

@Suite struct ModelFileTests {
    @Test func roundTripKeepsEverything() throws {
        let model = Sequential.mnistCNN()
        model.initialize(seed: 3)
        let record = TrainingRecord(
            dataset: "mnist", epochs: 2, batchSize: 128, learningRate: 0.05, momentum: 0.9, l2: 5e-5,
            learningRateDrop: 0.5, dropEvery: 4, seed: 3, testAccuracy: 0.99, trainingImages: 60000)
        let velocity = (0..<model.parameterCount).map { Float($0 % 5) }
        let bytes = ModelFile.encode(model, training: record, extraTensors: [("optimizer.velocity", velocity)])
        #expect(bytes.count % 4 == 0 && (Int(bytes[0]) + 8) % 8 == 0)
        let loaded = try ModelFile.decode(bytes, path: "m")
        #expect(loaded.model.parameterValues() == model.parameterValues())
        #expect(loaded.model.specs == model.specs)
        #expect(loaded.training == record)
        #expect(loaded.extraTensors["optimizer.velocity"] == velocity)
    }

    @Test func bundledModelLoadsWithItsRecord() throws {
        let loaded = try ModelFile.read(contentsOf: repositoryRoot + "/models/mnist-cnn.safetensors")
        #expect(loaded.model.parameterCount == 208_982)
        #expect((loaded.training?.testAccuracy ?? 0) >= 0.992)
        #expect(loaded.extraTensors.isEmpty, "the shipped model carries no optimizer state")
    }

    /// Rewrites the JSON header of a valid file.
    func withHeader(_ edit: (inout [String: Any]) -> Void) -> [UInt8] {
        let model = Sequential.mnistCNN()
        let bytes = ModelFile.encode(model, training: nil)
        let length = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16
        var header = try! JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as! [String: Any]
        edit(&header)
        var json = [UInt8](try! JSONSerialization.data(withJSONObject: header))
        while json.count % 8 != 0 { json.append(0x20) }
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out += $0 }
        return out + json + bytes[(8 + length)...]
    }

    @Test func everyCorruptionHasItsError() {
        func expect(_ bytes: [UInt8], _ check: (ModelFileError) -> Bool) {
            do {
                _ = try ModelFile.decode(bytes, path: "model.safetensors")
                Issue.record("accepted")
            } catch {
                #expect(check(error), "\(error)")
                #expect(error.errorDescription!.hasPrefix("model.safetensors: "))
            }
        }
        let good = ModelFile.encode(Sequential.mnistCNN(), training: nil)
        expect([1, 2, 3]) { if case .truncated = $0 { true } else { false } }
        expect([255, 255, 0, 0, 0, 0, 0, 0] + good.dropFirst(8)) { if case .badHeader = $0 { true } else { false } }
        expect([8, 0, 0, 0, 0, 0, 0, 0] + Array("not json".utf8)) { if case .badHeader = $0 { true } else { false } }
        expect(Array(good.dropLast(100))) { if case .badOffsets = $0 { true } else { false } }
        expect(withHeader { $0["__metadata__"] = nil }) { if case .notADreamModel = $0 { true } else { false } }
        expect(withHeader { $0["__metadata__"] = ["format": "keras", "version": "1"] }) {
            if case .notADreamModel = $0 { true } else { false }
        }
        expect(
            withHeader { h in
                var m = h["__metadata__"] as! [String: String]; m["version"] = "7"; h["__metadata__"] = m
            }
        ) {
            if case .unsupportedVersion(_, "7", 1) = $0 { true } else { false }
        }
        expect(
            withHeader { h in
                var m = h["__metadata__"] as! [String: String]; m["architecture"] = "{}"; h["__metadata__"] = m
            }
        ) {
            if case .badArchitecture = $0 { true } else { false }
        }
        expect(withHeader { $0["conv2.bias"] = nil }) {
            $0 == .missingTensor(path: "model.safetensors", name: "conv2.bias")
        }
        expect(
            withHeader { h in
                var t = h["conv1.bias"] as! [String: Any]; t["dtype"] = "F16"; h["conv1.bias"] = t
            }
        ) {
            if case .unsupportedDType(_, "conv1.bias", "F16") = $0 { true } else { false }
        }
        expect(
            withHeader { h in
                var t = h["conv1.bias"] as! [String: Any]; t["shape"] = [16, 2]; h["conv1.bias"] = t
            }
        ) {
            $0 == .shapeMismatch(path: "model.safetensors", name: "conv1.bias", expected: [32], found: "[16, 2]")
        }
        expect(
            withHeader { h in
                var t = h["dense2.bias"] as! [String: Any]; t["data_offsets"] = [0, 12]; h["dense2.bias"] = t
            }
        ) {
            if case .badOffsets = $0 { true } else { false }
        }
    }
}

@Suite(.tags(.slow), .skippedByFastRuns) struct TrainingTests {
    @Test func shortRunReachesSaneAccuracy() throws {
        let train = try MNISTDataset(directory: repositoryRoot + "/data/mnist", split: .train).prefix(3000)
        let test = try MNISTDataset(directory: repositoryRoot + "/data/mnist", split: .test).prefix(1000)
        let model = Sequential.mnistCNN()
        model.initialize(seed: 5)
        var settings = Trainer.Settings()
        settings.epochs = 2
        // 48 batches in all: plain SGD (a warm-up of the full run's 200 would keep the rate
        // low throughout).
        settings.warmupBatches = 0
        let trainer = try Trainer(model: model, settings: settings)
        var losses: [Float] = []
        for epoch in 0..<2 {
            let result = try #require(trainer.trainEpoch(epoch, on: train, progress: { _ in }, shouldStop: { false }))
            losses.append(result.loss)
        }
        #expect(losses[1] < losses[0])
        let accuracy = try Evaluation(model: model, data: test).accuracy
        #expect(accuracy > 0.9, "accuracy \(accuracy) after 2 epochs on 3,000 images")
    }

    @Test func resumeContinuesTheSameRun() throws {
        let folder = try temporaryFolder()
        let train = try MNISTDataset(directory: repositoryRoot + "/data/mnist", split: .train).prefix(512)
        let test = try MNISTDataset(directory: repositoryRoot + "/data/mnist", split: .test).prefix(100)
        var settings = Trainer.Settings()
        settings.epochs = 2
        settings.batchSize = 64
        // Straight through two epochs.
        let straight = Sequential.mnistCNN()
        straight.initialize(seed: 9)
        _ = try Trainer(model: straight, settings: settings).run(
            train: train, test: test, datasetName: "mnist",
            checkpointPath: folder + "/a.safetensors", progress: { _ in }, epochDone: { _ in }, shouldStop: { false })
        // One epoch, "interrupted", then resumed from the checkpoint.
        let first = Sequential.mnistCNN()
        first.initialize(seed: 9)
        var stops = 0
        _ = try Trainer(model: first, settings: settings).run(
            train: train, test: test, datasetName: "mnist",
            checkpointPath: folder + "/b.safetensors", progress: { _ in }, epochDone: { _ in stops += 1 },
            shouldStop: { stops >= 1 })
        let checkpoint = try ModelFile.read(contentsOf: folder + "/b.safetensors")
        #expect(checkpoint.training?.epochs == 1)
        let velocity = try #require(checkpoint.extraTensors[ModelFile.optimizerPrefix + "velocity"])
        let resumedSettings = Trainer.settings(from: checkpoint.training!, epochs: 2)
        _ = try Trainer(model: checkpoint.model, settings: resumedSettings, velocity: velocity).run(
            train: train, test: test, datasetName: "mnist", startEpoch: 1, checkpointPath: folder + "/b.safetensors",
            progress: { _ in }, epochDone: { _ in }, shouldStop: { false })
        let a = try ModelFile.read(contentsOf: folder + "/a.safetensors").model.parameterValues()
        let b = try ModelFile.read(contentsOf: folder + "/b.safetensors").model.parameterValues()
        #expect(a == b, "resuming gives the same parameters as an uninterrupted run")
    }

    @Test func dataParallelGradientsEqualOneReplica() throws {
        let data = try MNISTDataset(directory: repositoryRoot + "/data/mnist", split: .test).prefix(64)
        let model = Sequential.mnistCNN()
        model.initialize(seed: 2)
        let parallel = DataParallel(model: model, workers: 2)
        let replica = model.replica()
        // Whole batch through one replica...
        var seed = [Float](repeating: 0, count: 64 * 10)
        try data.images.withUnsafeBufferPointer { try replica.forward($0.baseAddress!, batch: 64) }
        data.labels.withUnsafeBufferPointer { labels in
            _ = SoftmaxCrossEntropy.loss(
                probabilities: replica.layers[7].output, labels: labels.baseAddress!, batch: 64,
                classes: 10, logitGradient: &seed)
        }
        replica.zeroGradients()
        replica.backward(from: 7, seed: seed, seedIsPreActivation: true, parameterGradients: true, inputGradient: nil)
        // ...and split over two.
        data.images.withUnsafeBufferPointer { images in
            data.labels.withUnsafeBufferPointer { labels in
                seed.withUnsafeMutableBufferPointer { g in
                    parallel.run(batch: 64) { _, net, slice in
                        try! net.forward(images.baseAddress! + slice.lowerBound * 784, batch: slice.count)
                        _ = SoftmaxCrossEntropy.loss(
                            probabilities: net.layers[7].output, labels: labels.baseAddress! + slice.lowerBound,
                            batch: slice.count, classes: 10, logitGradient: g.baseAddress! + slice.lowerBound * 10,
                            normalizer: 64)
                        net.zeroGradients()
                        net.backward(
                            from: 7, seed: g.baseAddress! + slice.lowerBound * 10, seedIsPreActivation: true,
                            parameterGradients: true, inputGradient: nil)
                    }
                }
            }
        }
        parallel.reduceGradients()
        let one = replica.gradients.array(count: model.parameterCount),
            two = model.gradients.array(count: model.parameterCount)
        let worst = zip(one, two).map { abs($0 - $1) / max(1e-3, abs($0)) }.max()!
        #expect(worst < 1e-3)
    }
}
