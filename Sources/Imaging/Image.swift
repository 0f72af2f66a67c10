/// A picture as float planes in [0, 1]: plane `c` holds channel `c` row by row.
///
/// Channels: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA. Planar storage keeps each channel
/// contiguous, which is what resampling and the network want.
public struct Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    public var pixels: [Float]

    public init(width: Int, height: Int, channels: Int = 1, pixels: [Float]) {
        precondition(width > 0 && height > 0 && (1...4).contains(channels))
        precondition(pixels.count == width * height * channels, "pixel count does not match the size")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    public init(width: Int, height: Int, channels: Int = 1, value: Float = 0) {
        self.init(
            width: width, height: height, channels: channels,
            pixels: [Float](repeating: value, count: width * height * channels))
    }

    public var planeSize: Int { width * height }
    public var hasAlpha: Bool { channels == 2 || channels == 4 }
    public var colorChannels: Int { hasAlpha ? channels - 1 : channels }

    public subscript(x: Int, y: Int, channel: Int = 0) -> Float {
        get { pixels[channel * planeSize + y * width + x] }
        set { pixels[channel * planeSize + y * width + x] = newValue }
    }

    /// One channel as a one-channel image.
    public func plane(_ channel: Int) -> Image {
        let start = channel * planeSize
        return Image(
            width: width, height: height, channels: 1,
            pixels: Array(pixels[start..<start + planeSize]))
    }

    /// Stacks one-channel images of equal size into one image.
    public init(planes: [Image]) {
        precondition(!planes.isEmpty && planes.allSatisfy { $0.channels == 1 })
        let first = planes[0]
        precondition(planes.allSatisfy { $0.width == first.width && $0.height == first.height })
        self.init(
            width: first.width, height: first.height, channels: planes.count,
            pixels: planes.flatMap(\.pixels))
    }

    /// Clamps every sample to [0, 1].
    public func clamped() -> Image {
        var copy = self
        copy.clamp()
        return copy
    }

    /// Clamps every sample to [0, 1] in place (no second copy of a large image).
    public mutating func clamp(workers: Int = 1) {
        pixels.withUnsafeMutableBufferPointer { p in
            Bands.run(p.count, workers: workers) { range in
                for i in range { p[i] = min(max(p[i], 0), 1) }
            }
        }
    }

    public var mean: Float {
        pixels.isEmpty ? 0 : Float(pixels.reduce(0.0) { $0 + Double($1) } / Double(pixels.count))
    }
}
