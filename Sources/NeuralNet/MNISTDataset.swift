import Foundation

/// 28x28 gray images with labels 0...9 from a pair of IDX files, pixels scaled to [0, 1].
/// Works for MNIST and for anything in its format (Fashion-MNIST, KMNIST...).
/// `adapted(to:)` pads and replicates them for models of larger or colour inputs.
public struct MNISTDataset: Sendable {
    public let images: [Float]
    public let labels: [UInt8]
    /// One sample's shape: 28x28x1 as read, a model's input shape once adapted.
    public let shape: FeatureShape
    public var count: Int { labels.count }
    public static let side = 28
    public static let pixels = 784
    public static let fileShape = FeatureShape(height: side, width: side, channels: 1)

    public enum Split: String, Sendable, CaseIterable { case train, test }

    public init(images: [Float], labels: [UInt8], shape: FeatureShape = fileShape) {
        kernelCheck(
            images.count == labels.count * shape.count,
            "MNISTDataset: \(images.count) values for \(labels.count) samples of \(shape)")
        self.images = images
        self.labels = labels
        self.shape = shape
    }

    /// Loads `split` from a folder holding `train-images-idx3-ubyte(.gz)` and friends,
    /// bytes mapped to inputs by `normalization`.
    public init(
        directory: String, split: Split, normalization: DatasetRecord.Normalization = .unit
    ) throws(IDXError) {
        let stems = Self.stems(split)
        let imagePath = Self.locate(directory, stems[0])
        let labelPath = Self.locate(directory, stems[1])
        let imageFile = try IDXFile(contentsOf: imagePath, rank: 3)
        let labelFile = try IDXFile(contentsOf: labelPath, rank: 1)
        guard imageFile.dimensions[1] == Self.side, imageFile.dimensions[2] == Self.side else {
            throw .wrongImageSize(path: imagePath, height: imageFile.dimensions[1], width: imageFile.dimensions[2])
        }
        guard imageFile.dimensions[0] == labelFile.dimensions[0] else {
            throw .countMismatch(
                images: imagePath, labels: labelPath, imageCount: imageFile.dimensions[0],
                labelCount: labelFile.dimensions[0])
        }
        if let bad = labelFile.bytes.firstIndex(where: { $0 > 9 }) {
            throw .labelOutOfRange(path: labelPath, index: bad, label: Int(labelFile.bytes[bad]))
        }
        self.images =
            normalization == .unit ? imageFile.bytes.map { Float($0) / 255 } : imageFile.bytes.map(normalization.input)
        self.labels = labelFile.bytes
        self.shape = Self.fileShape
    }

    /// The images' and the labels' file stems of `split`.
    public static func stems(_ split: Split) -> [String] {
        let prefix = split == .train ? "train" : "t10k"
        return ["\(prefix)-images-idx3-ubyte", "\(prefix)-labels-idx1-ubyte"]
    }

    static func locate(_ directory: String, _ stem: String) -> String {
        let plain = (directory as NSString).appendingPathComponent(stem)
        return FileManager.default.fileExists(atPath: plain + ".gz") || !FileManager.default.fileExists(atPath: plain)
            ? plain + ".gz" : plain
    }

    /// The first `count` samples.
    public func prefix(_ count: Int) -> MNISTDataset {
        let n = min(count, self.count)
        return MNISTDataset(images: Array(images[0..<n * shape.count]), labels: Array(labels[0..<n]), shape: shape)
    }

    /// Sample `index` as `shape.count` floats.
    public func image(_ index: Int) -> [Float] {
        Array(images[index * shape.count..<(index + 1) * shape.count])
    }

    /// The samples as a model of `input` takes them: centred on a zero (background)
    /// border when it is larger, the gray value in every channel when it has several.
    /// The same data when the shapes already agree; nil when `input` is smaller or the
    /// data has several channels already.
    public func adapted(to input: FeatureShape) -> MNISTDataset? {
        if input == shape { return self }
        guard shape.channels == 1, input.height >= shape.height, input.width >= shape.width else { return nil }
        let top = (input.height - shape.height) / 2, left = (input.width - shape.width) / 2
        var out = [Float](repeating: 0, count: count * input.count)
        images.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for n in 0..<count {
                    let from = source.baseAddress! + n * shape.count, to = target.baseAddress! + n * input.count
                    for y in 0..<shape.height {
                        let row = to + ((top + y) * input.width + left) * input.channels
                        for x in 0..<shape.width {
                            let value = from[y * shape.width + x]
                            for c in 0..<input.channels { row[x * input.channels + c] = value }
                        }
                    }
                }
            }
        }
        return MNISTDataset(images: out, labels: labels, shape: input)
    }
}
