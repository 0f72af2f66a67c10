/// The shape of one sample's activations, stored NHWC (channels fastest) like Keras.
/// Dense activations are 1 x 1 x units.
public struct FeatureShape: Sendable, Equatable, Codable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public var channels: Int

    public init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    public static func vector(_ units: Int) -> FeatureShape { FeatureShape(height: 1, width: 1, channels: units) }

    public var count: Int { height * width * channels }
    public var isVector: Bool { height == 1 && width == 1 }
    public var description: String { isVector ? "\(channels)" : "\(height)x\(width)x\(channels)" }
}
