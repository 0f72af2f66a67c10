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
}
