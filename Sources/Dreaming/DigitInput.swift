import Foundation
import Imaging
import NeuralNet

/// Turns pictures into the network's white-ink-on-black input.
public enum DigitInput {
    /// The photo's luminance at the network's input size. Dark ink on light paper is
    /// inverted: when `invert` is nil, decided by the border (MNIST borders are black).
    public static func prepare(_ photo: Image, for input: FeatureShape, invert: Bool? = nil) -> (
        pixels: [Float], inverted: Bool
    ) {
        let view = NetworkView.downscale(photo, to: input)
        let w = view.width, h = view.height
        var border: [Float] = []
        for x in 0..<w { border += [view[x, 0], view[x, h - 1]] }
        for y in 0..<h { border += [view[0, y], view[w - 1, y]] }
        let inverted = invert ?? (border.reduce(0, +) / Float(border.count) > 0.5)
        let pixels = NetworkView.interleaved(view)
        return (inverted ? pixels.map { 1 - $0 } : pixels, inverted)
    }

    /// "test:1302" or "train:5": a split and an index of the bundled MNIST data.
    public struct Reference: Sendable, Equatable {
        public var split: MNISTDataset.Split
        public var index: Int

        public init(_ text: String) throws(DreamError) {
            let parts = text.split(separator: ":")
            guard parts.count == 2, let split = MNISTDataset.Split(rawValue: String(parts[0])),
                let index = Int(parts[1]),
                index >= 0
            else { throw .invalidSetting(key: "mnist", problem: "expected test:N or train:N, got '\(text)'") }
            self.split = split
            self.index = index
        }

        /// The image's pixels, checked against the split's size.
        public func load(from directory: String) throws -> (pixels: [Float], label: Int) {
            try load(MNISTDataset(directory: directory, split: split))
        }

        /// The image of a model's dataset, normalised as the model was trained.
        public func load(from dataset: ModelDataset, for input: FeatureShape? = nil) throws -> (
            pixels: [Float], label: Int
        ) {
            try load(dataset.load(split, for: input))
        }

        private func load(_ data: MNISTDataset) throws -> (pixels: [Float], label: Int) {
            guard index < data.count else {
                throw DreamError.invalidSetting(
                    key: "mnist",
                    problem:
                        "index \(index) is beyond the \(data.count) \(split.rawValue) images (0...\(data.count - 1))")
            }
            return (data.image(index), Int(data.labels[index]))
        }
    }

    /// The MNIST images' shape (28x28, one channel).
    public static let dataShape = FeatureShape(height: MNISTDataset.side, width: MNISTDataset.side, channels: 1)

    /// Refuses a model whose input is not the data's image shape (MNIST's by default):
    /// its scores on the data would mean nothing.
    public static func checkFits(_ model: FeatureShape, data: FeatureShape = dataShape) throws(DreamError) {
        guard model == data else { throw .dataDoesNotFit(model: "\(model)", data: "\(data)") }
    }

    /// The folder of the bundled MNIST files (see `BundledAssets` for where it looks).
    public static func defaultDataDirectory() throws(DreamError) -> String {
        try BundledAssets.mnistDirectory()
    }
}
