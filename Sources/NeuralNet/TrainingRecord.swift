import FileSupport

/// How a model was trained, stored in its file's metadata.
public struct TrainingRecord: Codable, Sendable, Equatable {
    public var dataset: String
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float
    public var momentum: Float
    public var l2: Float
    public var learningRateDrop: Float
    public var dropEvery: Int
    public var seed: UInt64
    public var testAccuracy: Double?
    public var trainingImages: Int

    public init(
        dataset: String, epochs: Int, batchSize: Int, learningRate: Float, momentum: Float, l2: Float,
        learningRateDrop: Float, dropEvery: Int, seed: UInt64, testAccuracy: Double?, trainingImages: Int
    ) {
        self.dataset = dataset
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.momentum = momentum
        self.l2 = l2
        self.learningRateDrop = learningRateDrop
        self.dropEvery = dropEvery
        self.seed = seed
        self.testAccuracy = testAccuracy
        self.trainingImages = trainingImages
    }

    /// Reads a record strictly: every field present and of its type, in the same ranges as
    /// `dream train`'s flags, so a checkpoint cannot resume a run the flags would refuse.
    public init(json: JSONValue) throws(JSONError) {
        typealias Limits = Trainer.Settings.Limits
        let members = try json.object(at: "(training record)")
        func field(_ key: String) throws(JSONError) -> JSONValue {
            guard let value = members.first(where: { $0.key == key })?.value else { throw .missing(path: key) }
            return value
        }
        let known = [
            "dataset", "epochs", "batchSize", "learningRate", "momentum", "l2", "learningRateDrop", "dropEvery", "seed",
            "testAccuracy", "trainingImages",
        ]
        if let unknown = members.first(where: { !known.contains($0.key) }) {
            throw .wrongType(path: unknown.key, expected: "no such key", found: unknown.value.found)
        }
        let dataset = try field("dataset").string(at: "dataset")
        guard dataset.utf8.count <= Self.datasetNameLength else {
            throw .wrongType(
                path: "dataset", expected: "a name of at most \(Self.datasetNameLength) bytes", found: "a longer one")
        }
        var accuracy: Double?
        if let value = members.first(where: { $0.key == "testAccuracy" })?.value, value != .null {
            accuracy = try value.number(in: SettingRange<Double>(0...1), at: "testAccuracy")
        }
        self.init(
            dataset: dataset,
            epochs: try field("epochs").integer(in: Limits.epochs, at: "epochs"),
            batchSize: try field("batchSize").integer(in: Limits.batchSize, at: "batchSize"),
            learningRate: try field("learningRate").number(in: Limits.learningRate, at: "learningRate"),
            momentum: try field("momentum").number(in: Limits.momentum, at: "momentum"),
            l2: try field("l2").number(in: Limits.l2, at: "l2"),
            learningRateDrop: try field("learningRateDrop").number(in: Limits.learningRateDrop, at: "learningRateDrop"),
            dropEvery: try field("dropEvery").integer(in: Limits.dropEvery, at: "dropEvery"),
            seed: try field("seed").integer(in: SettingRange(0...UInt64.max), at: "seed"),
            testAccuracy: accuracy,
            trainingImages: try field("trainingImages").integer(in: Self.trainingImagesLimit, at: "trainingImages"))
    }

    public static let datasetNameLength = 256
    public static let trainingImagesLimit = SettingRange(0...100_000_000)
}
