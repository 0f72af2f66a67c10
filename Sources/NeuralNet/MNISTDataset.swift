import Foundation

/// 28x28 gray images with labels 0...9 from a pair of IDX files, pixels scaled to [0, 1].
/// Works for MNIST and for anything in its format (Fashion-MNIST, KMNIST...).
public struct MNISTDataset: Sendable {
    public let images: [Float]
    public let labels: [UInt8]
    public var count: Int { labels.count }
    public static let side = 28
    public static let pixels = 784

    public enum Split: String, Sendable { case train, test }

    public init(images: [Float], labels: [UInt8]) {
        kernelCheck(
            images.count == labels.count * Self.pixels,
            "MNISTDataset: \(images.count) pixels for \(labels.count) labels of \(Self.pixels)")
        self.images = images
        self.labels = labels
    }

    /// Loads `split` from a folder holding `train-images-idx3-ubyte(.gz)` and friends.
    public init(directory: String, split: Split) throws(IDXError) {
        let prefix = split == .train ? "train" : "t10k"
        let imagePath = Self.locate(directory, "\(prefix)-images-idx3-ubyte")
        let labelPath = Self.locate(directory, "\(prefix)-labels-idx1-ubyte")
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
        self.images = imageFile.bytes.map { Float($0) / 255 }
        self.labels = labelFile.bytes
    }

    static func locate(_ directory: String, _ stem: String) -> String {
        let plain = (directory as NSString).appendingPathComponent(stem)
        return FileManager.default.fileExists(atPath: plain + ".gz") || !FileManager.default.fileExists(atPath: plain)
            ? plain + ".gz" : plain
    }

    /// The first `count` samples.
    public func prefix(_ count: Int) -> MNISTDataset {
        let n = min(count, self.count)
        return MNISTDataset(images: Array(images[0..<n * Self.pixels]), labels: Array(labels[0..<n]))
    }

    /// Sample `index` as 784 floats.
    public func image(_ index: Int) -> [Float] {
        Array(images[index * Self.pixels..<(index + 1) * Self.pixels])
    }
}
