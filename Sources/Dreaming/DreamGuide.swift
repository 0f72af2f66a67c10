import Foundation
import Imaging
import NeuralNet

/// The picture a guided dream should look like, as the network sees its input: a digit of
/// the bundled MNIST data as it is, or a photo's luminance squeezed to the input size (and
/// inverted with the dream's `invert`, so guide and dream are seen the same way).
///
/// Its features are computed once, at the network's input size, not once per octave: the
/// network was trained on digits of that size, and in every mode but conv it only ever
/// sees windows of that size (the downscaled photo, the tiles), so the guide's strokes
/// are matched at the scale the dream's own features have. A guide blown up to a large
/// octave would offer only smooth, stroke-less features to match.
public struct DreamGuide: Sendable, Equatable {
    /// As the settings name it.
    public var source: String
    /// Whether a photo guide was inverted (with the dream's `invert`).
    public var inverted: Bool
    /// The network's input: `inputShape.count` values in [0, 1], white ink on black.
    public var pixels: [Float]

    /// The guide's feature vectors at one layer (after its activation): `positions`
    /// vectors of `channels` values each, position-major as the layer stores them.
    public struct Features: Sendable, Equatable {
        public var values: [Float]
        public var positions: Int
        public var channels: Int
    }

    public init(source: String, inverted: Bool, pixels: [Float]) {
        self.source = source
        self.inverted = inverted
        self.pixels = pixels
    }

    /// Whether `source` names a digit of the bundled data rather than a file.
    public static func isDataReference(_ source: String) -> Bool { source.hasPrefix("mnist:") }

    /// Loads `source` for `model`'s input: `mnist:test:N`, `mnist:train:N` or
    /// `mnist:class:D` (the first test image of class D), or a PNG or JPEG photo.
    public static func load(
        _ source: String, for model: Sequential, invert: Bool, dataDirectory: String? = nil
    ) throws(DreamError) -> DreamGuide {
        let shape = model.inputShape
        if isDataReference(source) {
            let reference = String(source.dropFirst("mnist:".count))
            let pixels: [Float]
            do {
                let directory = try dataDirectory ?? DigitInput.defaultDataDirectory()
                if reference.hasPrefix("class:") {
                    let text = reference.dropFirst("class:".count)
                    guard let digit = Int(text), (0...9).contains(digit) else {
                        throw DreamError.invalidSetting(
                            key: "guide", problem: "'\(source)': expected mnist:class:D with a digit 0...9")
                    }
                    let data = try MNISTDataset(directory: directory, split: .test)
                    guard let index = data.labels.firstIndex(of: UInt8(digit)) else {
                        throw DreamError.invalidSetting(
                            key: "guide", problem: "'\(source)': the test data holds no digit \(digit)")
                    }
                    pixels = data.image(index)
                } else {
                    pixels = try DigitInput.Reference(reference).load(from: directory).pixels
                }
            } catch let error as DreamError {
                if case .invalidSetting(_, let problem) = error {
                    throw .invalidSetting(key: "guide", problem: "'\(source)': \(problem)")
                }
                throw error
            } catch {
                throw .invalidSetting(key: "guide", problem: "'\(source)': \(oneLine(error))")
            }
            guard pixels.count == shape.count, shape.channels == 1 else {
                throw .invalidSetting(
                    key: "guide",
                    problem:
                        "'\(source)' is a \(MNISTDataset.side)x\(MNISTDataset.side) digit, but the model takes \(shape.width)x\(shape.height)x\(shape.channels) inputs; guide it with a photo"
                )
            }
            return DreamGuide(source: source, inverted: false, pixels: pixels)
        }
        let photo: Image
        do {
            photo = try Image(contentsOf: source)
        } catch {
            throw .invalidSetting(
                key: "guide", problem: "\(oneLine(error)); give a PNG or JPEG, or mnist:class:D for a digit")
        }
        let view = NetworkView.downscale(photo, to: shape, invert: invert)
        return DreamGuide(source: source, inverted: invert, pixels: NetworkView.interleaved(view))
    }

    private static func oneLine(_ error: any Error) -> String {
        ((error as? LocalizedError)?.errorDescription ?? "\(error)").replacingOccurrences(of: "\n", with: " ")
    }

    /// The guide's features at `layer` of `model` (one forward pass of the guide; the
    /// model's buffers are overwritten).
    public func features(model: Sequential, layer: Int) throws(DreamError) -> Features {
        let shape = model.inputShape
        guard pixels.count == shape.count else {
            throw .invalidSetting(
                key: "guide", problem: "'\(source)' has \(pixels.count) values, the model takes \(shape.count)")
        }
        do {
            try pixels.withUnsafeBufferPointer { buffer throws(NetworkError) in
                try model.forward(buffer.baseAddress!, batch: 1, shape: shape, through: layer)
            }
        } catch {
            throw .invalidSetting(key: "guideLayer", problem: error.errorDescription ?? "\(error)")
        }
        let out = model.outputShape(ofLayer: layer)
        let values = Array(UnsafeBufferPointer(start: model.layers[layer].output, count: out.count))
        return Features(values: values, positions: out.height * out.width, channels: out.channels)
    }
}
