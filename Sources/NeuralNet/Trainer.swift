import FileSupport
import Foundation

/// Mini-batch SGD with momentum, an L2 penalty on the weights and a step learning-rate
/// schedule (the seed's article III), over a dataset of 28x28 images; a linear warm-up of
/// the rate keeps ReLU maps from dying in the first batches, and maps that die anyway are
/// found on probe images after every epoch and revived (`MapActivity`, `MapRevival`).
public final class Trainer {
    public struct Settings: Sendable {
        public var epochs = 12
        public var batchSize = 128
        public var learningRate: Float = 0.05
        public var momentum: Float = 0.9
        /// Loss term l2 * sum(w^2) over conv and dense weights (not biases).
        public var l2: Float = 5e-5
        /// The learning rate is multiplied by `learningRateDrop` every `dropEvery` epochs.
        public var learningRateDrop: Float = 0.5
        public var dropEvery = 4
        /// The learning rate rises linearly over the first this many batches of the run.
        public var warmupBatches = 200
        public var seed: UInt64 = 1
        /// After every epoch, maps silent on the probe images get new filters (`MapRevival`).
        public var reviveDeadMaps = true
        public var revival = MapRevival()
        /// Training images (drawn by the seed) on which dead maps are looked for.
        public var probeSize = 2000
        public init() {}

        public func learningRate(epoch: Int) -> Float {
            learningRate * pow(learningRateDrop, Float(epoch / max(dropEvery, 1)))
        }

        /// The share of the learning rate batch `index` (counted from the start of the run) gets.
        public func warmupFactor(batch index: Int) -> Float {
            index < warmupBatches ? Float(index + 1) / Float(warmupBatches) : 1
        }

        /// The allowed values, shared by `dream train`'s flags, these settings and the
        /// training record a checkpoint carries (the README's table lists them).
        public enum Limits {
            public static let epochs = SettingRange(1...1000)
            public static let batchSize = SettingRange(1...4096)
            public static let learningRate = SettingRange<Float>(0, 10, excludesLower: true)
            public static let momentum = SettingRange<Float>(0, 1, excludesUpper: true)
            public static let l2 = SettingRange<Float>(0...1)
            public static let learningRateDrop = SettingRange<Float>(0, 1, excludesLower: true)
            public static let dropEvery = SettingRange(1...1000)
            public static let warmupBatches = SettingRange(0...1_000_000)
            public static let probeSize = SettingRange(1...1_000_000)
        }

        /// Values out of range as (field, problem) pairs; empty when all is well.
        public func problems() -> [(key: String, problem: String)] {
            [
                ("epochs", Limits.epochs.problem(epochs)), ("batchSize", Limits.batchSize.problem(batchSize)),
                ("learningRate", Limits.learningRate.problem(learningRate)),
                ("momentum", Limits.momentum.problem(momentum)), ("l2", Limits.l2.problem(l2)),
                ("learningRateDrop", Limits.learningRateDrop.problem(learningRateDrop)),
                ("dropEvery", Limits.dropEvery.problem(dropEvery)),
                ("warmupBatches", Limits.warmupBatches.problem(warmupBatches)),
                ("probeSize", Limits.probeSize.problem(probeSize)),
            ].compactMap { key, problem in problem.map { (key, $0) } }
        }
    }

    public struct Progress: Sendable {
        public var epoch: Int
        public var epochs: Int
        public var batch: Int
        public var batches: Int
        public var loss: Float
        public var accuracy: Float
        public var imagesPerSecond: Double
        public var secondsLeft: Double
    }

    public struct EpochResult: Sendable {
        public var epoch: Int
        public var loss: Float
        public var trainAccuracy: Float
        public var testAccuracy: Double
        public var seconds: Double
        /// Dead maps on the probe images at the end of the epoch (before any revival).
        public var activity: MapActivity
        /// Maps given new filters after this epoch, by layer.
        public var revived: [String: [Int]]
    }

    public let model: Sequential
    public let settings: Settings
    /// Images per forward/backward pass within a worker's slice. Measured on 2 cores,
    /// batch 128, im2col: 2 -> 5,830 img/s, 4 -> 6,210, 8 -> 6,130, 16 -> 5,770, 64 -> 5,450;
    /// on the Winograd path (CPU time of a 12,800-image epoch) 4, 6 and 8 tie, 16 is 10%
    /// slower, 32 20%.
    static let chunkSize = 8
    /// A batch's gradient is summed over at most this many fixed shards (16 images each at
    /// batch 128), so any worker count from 1 to 8 adds the same floats in the same order.
    static let shards = 8
    private let shardGradients = FloatBuffer()
    private var shardCount = 1
    private let parallel: DataParallel
    /// Momentum buffer, one float per parameter, saved in checkpoints.
    public private(set) var velocity: [Float]
    private let batchImages = FloatBuffer()
    private var batchLabels: [UInt8]
    private let logitGradient = FloatBuffer()
    /// Which parameters get the L2 penalty: weights yes, biases no.
    private let decayMask: [Float]

    /// Refuses settings out of range, a model that is not a ten-class softmax classifier
    /// and a momentum buffer of the wrong length, before anything runs. The data given to
    /// `trainEpoch` must have the model's input shape (`MNISTDataset.adapted(to:)`).
    /// `workers` changes the time only, never the result.
    public init(
        model: Sequential, settings: Settings, velocity: [Float]? = nil, workers: Int = Parallelism.cores
    ) throws(NetworkError) {
        if let (key, problem) = settings.problems().first { throw .badSetting(key: key, problem: problem) }
        if let problem = ModelRequirement(use: "training", input: model.inputShape, classes: 10).problem(with: model) {
            throw .unsuitableModel(problem: problem)
        }
        guard model.layers.last?.spec.activation == .softmax else {
            throw .unsuitableModel(problem: "training needs a model whose last layer is a softmax; this one's is not")
        }
        if let velocity, velocity.count != model.parameterCount {
            throw .badSetting(
                key: "velocity", problem: "has \(velocity.count) values for \(model.parameterCount) parameters")
        }
        self.model = model
        self.settings = settings
        // Replicas of their own (sharing `model`'s parameters) that convolve by Winograd:
        // conv2's and conv3's forward pass, input gradient and weight gradient take 3.2-3.4x
        // fewer multiplications (the weight gradient summed in the transform domain over a
        // slice's chunks); conv1 runs direct kernels with its taps in registers.
        parallel = DataParallel(model: model, workers: workers, convolution: .winograd)
        for replica in parallel.replicas { replica.defersWeightGradients = true }
        self.velocity = velocity ?? [Float](repeating: 0, count: model.parameterCount)
        batchLabels = [UInt8](repeating: 0, count: settings.batchSize)
        var mask = [Float](repeating: 0, count: model.parameterCount)
        for view in model.tensors where view.name.hasSuffix(".weight") {
            for i in view.offset..<view.offset + view.count { mask[i] = 1 }
        }
        decayMask = mask
    }

    /// The order of the samples in `epoch`: a function of seed and epoch alone, so a
    /// resumed run sees the same batches as an uninterrupted one.
    public static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var generator = SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(epoch))
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        return order
    }

    /// Trains one epoch; `shouldStop` is polled between batches (Ctrl-C).
    /// Returns nil when stopped early.
    public func trainEpoch(
        _ epoch: Int, on data: MNISTDataset, progress: (Progress) -> Void,
        shouldStop: () -> Bool
    ) -> (loss: Float, accuracy: Float)? {
        let batchSize = settings.batchSize
        let order = Self.permutation(count: data.count, seed: settings.seed, epoch: epoch)
        let batches = (data.count + batchSize - 1) / batchSize
        let lr = settings.learningRate(epoch: epoch)
        let start = Date()
        var totalLoss: Double = 0
        var correct = 0
        var seen = 0
        let last = model.layers.count - 1
        let classes = 10
        let sample = model.inputShape.count
        kernelCheck(
            data.shape == model.inputShape,
            "Trainer: data of \(data.shape) for a model of \(model.inputShape) inputs (adapt it first)")
        let x = batchImages.reserve(batchSize * sample)
        let dLogits = logitGradient.reserve(batchSize * classes)
        // Each shard writes only its own slot of these.
        let lossOut = UnsafeMutableBufferPointer<Float>.allocate(capacity: Self.shards)
        let correctOut = UnsafeMutableBufferPointer<Int>.allocate(capacity: Self.shards)
        lossOut.initialize(repeating: 0)
        correctOut.initialize(repeating: 0)
        defer {
            lossOut.deallocate()
            correctOut.deallocate()
        }
        let parameterCount = model.parameterCount
        for b in 0..<batches {
            if shouldStop() { return nil }
            let n = min(batchSize, data.count - b * batchSize)
            data.images.withUnsafeBufferPointer { images in
                for i in 0..<n {
                    let index = order[b * batchSize + i]
                    (x + i * sample).update(from: images.baseAddress! + index * sample, count: sample)
                    batchLabels[i] = data.labels[index]
                }
            }
            lossOut.update(repeating: 0)
            correctOut.update(repeating: 0)
            // The batch splits into shards fixed by its size alone, each with its own
            // gradient sum, added up in shard order by `update`: the same floats whatever
            // the worker count.
            shardCount = min(Self.shards, max(1, n / Self.chunkSize))
            let shardSums = shardGradients.reserve(shardCount * parameterCount)
            let shards = shardCount
            batchLabels.withUnsafeBufferPointer { labels in
                parallel.forEachChunk(shards) { _, replica, shard in
                    let slice = (shard * n / shards)..<((shard + 1) * n / shards)
                    replica.zeroGradients()
                    // Chunks keep activations in cache; gradients accumulate over them.
                    for start in stride(from: slice.lowerBound, to: slice.upperBound, by: Self.chunkSize) {
                        let count = min(Self.chunkSize, slice.upperBound - start)
                        // Cannot throw: the input has the shape the model was checked for when built.
                        try! replica.forward(x + start * sample, batch: count)
                        let probabilities = replica.layers[last].output
                        let g = dLogits + start * classes
                        lossOut[shard] +=
                            SoftmaxCrossEntropy.loss(
                                probabilities: probabilities, labels: labels.baseAddress! + start, batch: count,
                                classes: classes, logitGradient: g, normalizer: n) * Float(count) / Float(n)
                        for i in 0..<count where argmax(probabilities + i * classes, classes) == Int(labels[start + i])
                        {
                            correctOut[shard] += 1
                        }
                        replica.backward(
                            from: last, seed: g, seedIsPreActivation: true, parameterGradients: true,
                            inputGradient: nil)
                    }
                    replica.completeGradients()
                    (shardSums + shard * parameterCount).update(from: replica.gradients.pointer, count: parameterCount)
                }
            }
            let loss = lossOut.prefix(shards).reduce(0, +)
            correct += correctOut.prefix(shards).reduce(0, +)
            update(learningRate: lr * settings.warmupFactor(batch: epoch * batches + b))
            totalLoss += Double(loss) * Double(n)
            seen += n
            let elapsed = Date().timeIntervalSince(start)
            let rate = Double(seen) / max(elapsed, 1e-9)
            progress(
                Progress(
                    epoch: epoch, epochs: settings.epochs, batch: b + 1, batches: batches,
                    loss: Float(totalLoss / Double(seen)), accuracy: Float(correct) / Float(seen),
                    imagesPerSecond: rate, secondsLeft: Double(data.count - seen) / rate))
        }
        return (Float(totalLoss / Double(seen)), Float(correct) / Float(seen))
    }

    /// g = the shards' gradients summed in shard order;
    /// v = momentum * v - lr * (g + 2 * l2 * w); w += v. Element-wise, so the workers take
    /// a range each and the result is the same.
    func update(learningRate lr: Float) {
        let w = model.parameters.pointer, sums = shardGradients.pointer
        let count = model.parameterCount, shards = shardCount
        let momentum = settings.momentum, decay = 2 * settings.l2
        velocity.withUnsafeMutableBufferPointer { velocity in
            decayMask.withUnsafeBufferPointer { decayMask in
                let v = velocity.baseAddress!, mask = decayMask.baseAddress!
                parallel.run(batch: count, minimum: 16_384) { _, _, range in
                    for i in range {
                        var g = sums[i]
                        for shard in 1..<max(shards, 1) { g += sums[shard * count + i] }
                        v[i] = momentum * v[i] - lr * (g + decay * mask[i] * w[i])
                        w[i] += v[i]
                    }
                }
            }
        }
        for replica in parallel.replicas { replica.weightsChanged() }
    }
}

@inline(__always)
func argmax(_ values: UnsafePointer<Float>, _ count: Int) -> Int {
    var best = 0
    for k in 1..<count where values[k] > values[best] { best = k }
    return best
}

extension Trainer {
    /// Trains epochs `startEpoch..<settings.epochs`, evaluating on `test` and writing a
    /// checkpoint (model, momentum, training record, `dataset` when given) to
    /// `checkpointPath` after each one.
    /// Returns the results of the epochs run; stops early (keeping the last checkpoint) when
    /// `shouldStop` turns true.
    public func run(
        train: MNISTDataset, test: MNISTDataset, datasetName: String, dataset: DatasetRecord? = nil,
        startEpoch: Int = 0,
        checkpointPath: String, progress: (Progress) -> Void, epochDone: (EpochResult) -> Void,
        shouldStop: () -> Bool
    ) throws(ModelFileError) -> [EpochResult] {
        var results: [EpochResult] = []
        let probe = MapActivity.probeIndices(count: train.count, size: settings.probeSize, seed: settings.seed)
        for epoch in startEpoch..<settings.epochs {
            let start = Date()
            guard let (loss, accuracy) = trainEpoch(epoch, on: train, progress: progress, shouldStop: shouldStop) else {
                break
            }
            let activity = MapActivity(parallel: parallel, data: train, indices: probe)
            var revived: [String: [Int]] = [:]
            if settings.reviveDeadMaps && activity.deadCount > 0 {
                revived = velocity.withUnsafeMutableBufferPointer {
                    settings.revival.revive(
                        activity, in: model, velocity: $0.baseAddress!,
                        seed: settings.seed &* 0xA24B_AED4_963E_E407 &+ UInt64(epoch))
                }
                for replica in parallel.replicas { replica.weightsChanged() }
            }
            let evaluation = Evaluation(checkedModel: model, data: test)
            let record = TrainingRecord(
                dataset: datasetName, epochs: epoch + 1, batchSize: settings.batchSize,
                learningRate: settings.learningRate,
                momentum: settings.momentum, l2: settings.l2, learningRateDrop: settings.learningRateDrop,
                dropEvery: settings.dropEvery, seed: settings.seed, testAccuracy: evaluation.accuracy,
                trainingImages: train.count, warmupBatches: settings.warmupBatches,
                reviveDeadMaps: settings.reviveDeadMaps,
                deadMaps: activity.layers.map {
                    TrainingRecord.DeadMaps(
                        layer: $0.name, maps: $0.maps, dead: $0.dead, revived: revived[$0.name] ?? [])
                })
            // The momentum buffer rides along while epochs remain; the finished model stays lean.
            let state = epoch + 1 < settings.epochs ? [(ModelFile.optimizerPrefix + "velocity", velocity)] : []
            try ModelFile.write(model, training: record, dataset: dataset, extraTensors: state, to: checkpointPath)
            let result = EpochResult(
                epoch: epoch, loss: loss, trainAccuracy: accuracy, testAccuracy: evaluation.accuracy,
                seconds: Date().timeIntervalSince(start), activity: activity, revived: revived)
            results.append(result)
            epochDone(result)
        }
        return results
    }

    /// The settings a checkpoint was trained with, so `--resume` continues the same run.
    public static func settings(from record: TrainingRecord, epochs: Int) -> Settings {
        var settings = Settings()
        settings.epochs = epochs
        settings.batchSize = record.batchSize
        settings.learningRate = record.learningRate
        settings.momentum = record.momentum
        settings.l2 = record.l2
        settings.learningRateDrop = record.learningRateDrop
        settings.dropEvery = record.dropEvery
        settings.seed = record.seed
        settings.reviveDeadMaps = record.reviveDeadMaps ?? false
        settings.warmupBatches = record.warmupBatches ?? 0
        return settings
    }
}
