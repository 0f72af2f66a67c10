import Imaging

/// The sizes and images of a multi-scale DeepDream: the image at `count` sizes, each
/// `scale` times the one before, smallest first.
///
/// `details[i]` is what level `i` loses when level `i - 1` is upscaled to its size, so
/// `upscale(levels[i - 1]) + details[i] == levels[i]`: adding it back after dreaming at the
/// coarser size restores the photo's fine structure.
public struct OctavePyramid: Sendable {
    public struct Size: Sendable, Equatable, CustomStringConvertible {
        public var width: Int
        public var height: Int
        public init(width: Int, height: Int) {
            self.width = width
            self.height = height
        }
        public var description: String { "\(width)x\(height)" }
    }

    public let sizes: [Size]
    public let levels: [Image]
    public let details: [Image]
    /// The resampler that built the levels; `upscale` uses it too, so that
    /// `addDetail(to: upscale(levels[i - 1], toLevel: i), level: i)` gives `levels[i]` back.
    public let resampler: Resampler

    /// Sizes for `count` octaves of `scale` (> 1) below `width` x `height`, smallest first;
    /// the last is the full size.
    public static func sizes(width: Int, height: Int, count: Int, scale: Double) -> [Size] {
        precondition(count >= 1 && scale >= 1)
        return (0..<count).map { i in
            let factor = pow(scale, Double(count - 1 - i))
            return Size(
                width: max(1, Int((Double(width) / factor).rounded())),
                height: max(1, Int((Double(height) / factor).rounded())))
        }
    }

    public init(image: Image, count: Int, scale: Double, resampler: Resampler = Resampler()) {
        let sizes = Self.sizes(width: image.width, height: image.height, count: count, scale: scale)
        self.init(image: image, sizes: sizes, resampler: resampler)
    }

    /// A pyramid over explicit sizes, smallest first, the last being the image's own.
    public init(image: Image, sizes: [Size], resampler: Resampler = Resampler()) {
        precondition(sizes.last == Size(width: image.width, height: image.height))
        self.sizes = sizes
        self.resampler = resampler
        // Each level straight from the original: repeated downscaling would blur twice.
        let levels = sizes.map { resampler.resample(image, width: $0.width, height: $0.height) }
        self.levels = levels
        var details = [Image(width: sizes[0].width, height: sizes[0].height, channels: image.channels)]
        for i in 1..<max(1, sizes.count) {
            let up = resampler.resample(levels[i - 1], width: sizes[i].width, height: sizes[i].height)
            var detail = levels[i]
            for k in detail.pixels.indices { detail.pixels[k] -= up.pixels[k] }
            details.append(detail)
        }
        self.details = details
    }

    /// `details[octave]` of the pyramid over `sizes`, computed alone: a render needs one
    /// octave's detail at a time, and holding every level and detail of a large photo
    /// costs 4 bytes per pixel each. The same operations, so the same values, as the
    /// whole pyramid's.
    public static func detail(of image: Image, sizes: [Size], octave: Int, resampler: Resampler = Resampler())
        -> Image
    {
        precondition(sizes.last == Size(width: image.width, height: image.height))
        let size = sizes[octave]
        guard octave > 0 else { return Image(width: size.width, height: size.height, channels: image.channels) }
        let coarser = resampler.resample(image, width: sizes[octave - 1].width, height: sizes[octave - 1].height)
        let up = resampler.resample(coarser, width: size.width, height: size.height)
        var detail = resampler.resample(image, width: size.width, height: size.height)
        for k in detail.pixels.indices { detail.pixels[k] -= up.pixels[k] }
        return detail
    }

    /// An image of the level below `level` (a dreamed one, usually) resized to `level`.
    public func upscale(_ image: Image, toLevel level: Int) -> Image {
        resampler.resample(image, width: sizes[level].width, height: sizes[level].height)
    }

    /// Adds back the detail `level` lost to the coarser level: after dreaming small, the
    /// photo's fine structure returns.
    public func addDetail(to image: inout Image, level: Int) {
        precondition(image.width == sizes[level].width && image.height == sizes[level].height)
        let detail = details[level]
        for i in image.pixels.indices { image.pixels[i] += detail.pixels[i] }
    }
}

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif
