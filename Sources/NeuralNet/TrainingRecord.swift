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
    /// Batches of learning-rate warm-up (absent in older files: none).
    public var warmupBatches: Int?
    /// Whether dead maps were revived after each epoch (absent in older files: no).
    public var reviveDeadMaps: Bool?
    /// Dead maps per conv and dense layer on the probe images after the last epoch.
    public var deadMaps: [DeadMaps]?

    public struct DeadMaps: Codable, Sendable, Equatable {
        public var layer: String
        public var maps: Int
        /// Maps silent on every probe image after the epoch.
        public var dead: [Int]
        /// The dead maps that got new filters then (all of them when revival is on).
        public var revived: [Int]
        public init(layer: String, maps: Int, dead: [Int], revived: [Int]) {
            self.layer = layer
            self.maps = maps
            self.dead = dead
            self.revived = revived
        }
    }

    public init(
        dataset: String, epochs: Int, batchSize: Int, learningRate: Float, momentum: Float, l2: Float,
        learningRateDrop: Float, dropEvery: Int, seed: UInt64, testAccuracy: Double?, trainingImages: Int,
        warmupBatches: Int? = nil, reviveDeadMaps: Bool? = nil, deadMaps: [DeadMaps]? = nil
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
        self.warmupBatches = warmupBatches
        self.reviveDeadMaps = reviveDeadMaps
        self.deadMaps = deadMaps
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
            "testAccuracy", "trainingImages", "warmupBatches", "reviveDeadMaps", "deadMaps",
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
        var warmup: Int?
        if let value = members.first(where: { $0.key == "warmupBatches" })?.value {
            warmup = try value.integer(in: Limits.warmupBatches, at: "warmupBatches")
        }
        var revive: Bool?
        if let value = members.first(where: { $0.key == "reviveDeadMaps" })?.value {
            revive = try value.bool(at: "reviveDeadMaps")
        }
        var deadMaps: [DeadMaps]?
        if let value = members.first(where: { $0.key == "deadMaps" })?.value {
            deadMaps = try Self.deadMaps(value)
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
            trainingImages: try field("trainingImages").integer(in: Self.trainingImagesLimit, at: "trainingImages"),
            warmupBatches: warmup, reviveDeadMaps: revive, deadMaps: deadMaps)
    }

    /// The dead-map list, bounded like the architecture (at most 64 layers, names of at
    /// most 64 bytes, map indices inside the layer).
    static func deadMaps(_ value: JSONValue) throws(JSONError) -> [DeadMaps] {
        let entries = try value.array(at: "deadMaps")
        guard entries.count <= Sequential.Limits.layers else {
            throw .wrongType(
                path: "deadMaps", expected: "at most \(Sequential.Limits.layers) layers", found: "\(entries.count)")
        }
        var result: [DeadMaps] = []
        for (n, entry) in entries.enumerated() {
            let path = "deadMaps[\(n)]"
            let members = try entry.object(at: path)
            func field(_ key: String) throws(JSONError) -> JSONValue {
                guard let value = members.first(where: { $0.key == key })?.value else {
                    throw .missing(path: "\(path).\(key)")
                }
                return value
            }
            if let unknown = members.first(where: { !["layer", "maps", "dead", "revived"].contains($0.key) }) {
                throw .wrongType(path: "\(path).\(unknown.key)", expected: "no such key", found: unknown.value.found)
            }
            let layer = try field("layer").string(at: "\(path).layer")
            guard (1...Sequential.Limits.nameLength).contains(layer.utf8.count) else {
                throw .wrongType(
                    path: "\(path).layer", expected: "1...\(Sequential.Limits.nameLength) bytes",
                    found: "another length")
            }
            let maps = try field("maps").integer(
                in: SettingRange(1...Sequential.Limits.denseUnits), at: "\(path).maps")
            func indices(_ key: String) throws(JSONError) -> [Int] {
                let list = try field(key).array(at: "\(path).\(key)")
                guard list.count <= maps else {
                    throw .wrongType(path: "\(path).\(key)", expected: "at most \(maps) maps", found: "\(list.count)")
                }
                var out: [Int] = []
                for (k, item) in list.enumerated() {
                    out.append(try item.integer(in: SettingRange(0...(maps - 1)), at: "\(path).\(key)[\(k)]"))
                }
                return out
            }
            result.append(
                DeadMaps(layer: layer, maps: maps, dead: try indices("dead"), revived: try indices("revived")))
        }
        return result
    }

    public static let datasetNameLength = 256
    public static let trainingImagesLimit = SettingRange(0...100_000_000)
}
