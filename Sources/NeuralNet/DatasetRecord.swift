import FileSupport

/// What a model was trained on, stored in its file's metadata under `dataset`: enough to
/// find the data again, to check that other data is the same, and to name the classes.
///
/// ```json
/// {"classes": ["T-shirt/top", ...], "name": "fashion-mnist",
///  "normalization": {"high": 1, "low": 0},
///  "sha256": {"t10k-images-idx3-ubyte": "5b41...", "t10k-labels-idx1-ubyte": "...", ...}}
/// ```
public struct DatasetRecord: Codable, Sendable, Equatable {
    /// How an IDX byte becomes an input: byte 0 maps to `low`, 255 to `high`, linearly.
    public struct Normalization: Codable, Sendable, Equatable {
        public var low: Float
        public var high: Float

        public init(low: Float, high: Float) {
            self.low = low
            self.high = high
        }

        /// Bytes / 255, as every model `dream train` writes takes them.
        public static let unit = Normalization(low: 0, high: 1)

        public func input(_ byte: UInt8) -> Float { low + (high - low) * Float(byte) / 255 }
    }

    /// "mnist", "fashion-mnist", or what `dream train --dataset-name` was given.
    public var name: String
    /// One name per output class, in output order.
    public var classes: [String]
    public var normalization: Normalization
    /// SHA-256 of each IDX file's uncompressed bytes (gzip or not, the same data gives the
    /// same digest), keyed by the file's stem: "train-images-idx3-ubyte", "t10k-labels-idx1-ubyte"...
    public var sha256: [String: String]

    public init(name: String, classes: [String], normalization: Normalization = .unit, sha256: [String: String]) {
        self.name = name
        self.classes = classes
        self.normalization = normalization
        self.sha256 = sha256
    }

    public static let nameLength = 256
    public static let classNameLength = 64
    public static let classCount = SettingRange(1...1000)
    /// Inputs a normalisation may map bytes to.
    public static let normalizationRange = SettingRange<Float>(-1000...1000)

    /// Reads a record strictly: every key known and present, names bounded, digests of 64
    /// hex digits under the four IDX stems.
    public init(json: JSONValue) throws(JSONError) {
        var name: String?
        var classes: [String]?
        var normalization: Normalization?
        var sha256: [String: String]?
        for member in try json.object(at: "(dataset record)") {
            switch member.key {
            case "name":
                let text = try member.value.string(at: "name")
                guard !text.isEmpty, text.utf8.count <= Self.nameLength else {
                    throw .wrongType(
                        path: "name", expected: "a name of 1...\(Self.nameLength) bytes", found: member.value.found)
                }
                name = text
            case "classes":
                let items = try member.value.array(at: "classes")
                guard Self.classCount.contains(items.count) else {
                    throw .outOfRange(path: "classes", range: "\(Self.classCount) names", found: "\(items.count)")
                }
                var names: [String] = []
                for (i, item) in items.enumerated() {
                    let path = JSONValue.path("classes", index: i)
                    let text = try item.string(at: path)
                    guard !text.isEmpty, text.utf8.count <= Self.classNameLength else {
                        throw .wrongType(
                            path: path, expected: "a name of 1...\(Self.classNameLength) bytes", found: item.found)
                    }
                    names.append(text)
                }
                classes = names
            case "normalization":
                var low: Float?
                var high: Float?
                for part in try member.value.object(at: "normalization") {
                    let path = JSONValue.path("normalization", part.key)
                    switch part.key {
                    case "low": low = try part.value.number(in: Self.normalizationRange, at: path)
                    case "high": high = try part.value.number(in: Self.normalizationRange, at: path)
                    default: throw .unknownKey(path: path, suggestion: nil)
                    }
                }
                guard let low else { throw .missing(path: "normalization.low") }
                guard let high else { throw .missing(path: "normalization.high") }
                guard low != high else {
                    throw .wrongType(path: "normalization", expected: "low != high", found: "both \(low)")
                }
                normalization = Normalization(low: low, high: high)
            case "sha256":
                var digests: [String: String] = [:]
                for part in try member.value.object(at: "sha256") {
                    let path = JSONValue.path("sha256", part.key)
                    guard Self.stems.contains(part.key) else { throw .unknownKey(path: path, suggestion: nil) }
                    let digest = try part.value.string(at: path)
                    guard digest.utf8.count == 64, digest.utf8.allSatisfy({ Self.hexDigits.contains($0) }) else {
                        throw .wrongType(path: path, expected: "64 lowercase hex digits", found: part.value.found)
                    }
                    digests[part.key] = digest
                }
                sha256 = digests
            default:
                throw .unknownKey(path: member.key, suggestion: nil)
            }
        }
        guard let name else { throw .missing(path: "name") }
        guard let classes else { throw .missing(path: "classes") }
        guard let normalization else { throw .missing(path: "normalization") }
        guard let sha256 else { throw .missing(path: "sha256") }
        self.init(name: name, classes: classes, normalization: normalization, sha256: sha256)
    }

    private static let hexDigits = Set("0123456789abcdef".utf8)

    /// The IDX files a dataset folder holds, as stems (the file may add `.gz`).
    public static let stems = MNISTDataset.Split.allCases.flatMap { MNISTDataset.stems($0) }

    /// The record's digests of `split`'s files, by stem (empty when it has none).
    public func sha256(of split: MNISTDataset.Split) -> [String: String] {
        sha256.filter { MNISTDataset.stems(split).contains($0.key) }
    }

    // MARK: - Known datasets

    /// The vendored MNIST (digests of the files in data/mnist, the same as the original's).
    public static let mnist = DatasetRecord(
        name: "mnist", classes: (0...9).map(String.init),
        sha256: [
            "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ])

    /// Zalando's Fashion-MNIST as Debian's `dataset-fashion-mnist` ships it.
    public static let fashionMNIST = DatasetRecord(
        name: "fashion-mnist",
        classes: [
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
        ],
        sha256: [
            "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        ])

    public static let known = [mnist, fashionMNIST]

    /// The known dataset these digests belong to: every given digest matches its file.
    public static func identify(_ digests: [String: String]) -> DatasetRecord? {
        guard !digests.isEmpty else { return nil }
        return known.first { record in digests.allSatisfy { record.sha256[$0.key] == $0.value } }
    }

    /// True when every digest both sides have for `split` agrees (and they have some).
    public func matches(_ digests: [String: String], split: MNISTDataset.Split) -> Bool {
        let mine = sha256(of: split)
        return !mine.isEmpty && mine.allSatisfy { digests[$0.key] == $0.value }
    }

    /// The digests of `split`'s files in `directory` (uncompressed content; the files are
    /// read and checked as IDX on the way).
    public static func fingerprint(directory: String, split: MNISTDataset.Split) throws(IDXError) -> [String: String] {
        var digests: [String: String] = [:]
        for (stem, rank) in zip(MNISTDataset.stems(split), [3, 1]) {
            let file = try IDXFile(contentsOf: MNISTDataset.locate(directory, stem), rank: rank)
            var hasher = SHA256()
            var header: [UInt8] = [0, 0, 0x08, UInt8(rank)]
            for d in file.dimensions { header += (0..<4).map { UInt8(truncatingIfNeeded: d >> (24 - 8 * $0)) } }
            hasher.update(header)
            hasher.update(file.bytes)
            digests[stem] = hasher.hexDigest()
        }
        return digests
    }
}
