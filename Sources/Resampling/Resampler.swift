import Imaging

/// Separable resampling of float planes: a horizontal pass, then a vertical one.
public struct Resampler: Sendable {
    public var kernel: ResamplingKernel
    public var edge: EdgeMode
    /// Threads, each taking a band of rows; every row is computed the same way on any
    /// count, so results do not depend on it.
    public var workers: Int

    /// Bicubic (Keys, a = -0.5) with Pillow's border handling unless told otherwise.
    public init(kernel: ResamplingKernel = .bicubic, edge: EdgeMode = .renormalize, workers: Int = 1) {
        self.kernel = kernel
        self.edge = edge
        self.workers = workers
    }

    /// Every channel of `image` resampled to `width` x `height`.
    public func resample(_ image: Image, width: Int, height: Int) -> Image {
        precondition(width > 0 && height > 0, "target size must be positive")
        if width == image.width && height == image.height { return image }
        let horizontal = ResamplingWeights(inputSize: image.width, outputSize: width, kernel: kernel, edge: edge)
        let vertical = ResamplingWeights(inputSize: image.height, outputSize: height, kernel: kernel, edge: edge)
        // Both passes write every sample: no zero-filling first, and each worker's band
        // takes its own first-touch page faults.
        var middle = [Float](unsafeUninitializedCapacity: width * image.height) { $1 = width * image.height }
        let pixels = [Float](unsafeUninitializedCapacity: width * height * image.channels) { target, initialized in
            image.pixels.withUnsafeBufferPointer { source in
                middle.withUnsafeMutableBufferPointer { temp in
                    for c in 0..<image.channels {
                        let src = source.baseAddress! + c * image.planeSize
                        let dst = target.baseAddress! + c * width * height
                        let middle = temp.baseAddress!
                        // Bands of rows worth a thread each (a row costs about its width).
                        Bands.run(image.height, workers: workers, minimum: max(1, Bands.minimumItems / width)) {
                            Self.horizontalPass(
                                src, width: image.width, rows: $0, weights: horizontal, into: middle)
                        }
                        Bands.run(height, workers: workers, minimum: max(1, Bands.minimumItems / width)) {
                            Self.verticalPass(middle, width: width, rows: $0, weights: vertical, into: dst)
                        }
                    }
                }
            }
            initialized = width * height * image.channels
        }
        return Image(width: width, height: height, channels: image.channels, pixels: pixels)
    }

    static func horizontalPass(
        _ src: UnsafePointer<Float>, width: Int, rows: Range<Int>, weights: ResamplingWeights,
        into dst: UnsafeMutablePointer<Float>
    ) {
        let outWidth = weights.outputSize, taps = weights.taps
        weights.indices.withUnsafeBufferPointer { idx in
            weights.weights.withUnsafeBufferPointer { wts in
                for y in rows {
                    let row = src + y * width
                    let outRow = dst + y * outWidth
                    for x in 0..<outWidth {
                        var sum: Float = 0
                        let base = x * taps
                        for k in 0..<taps { sum += row[Int(idx[base + k])] * wts[base + k] }
                        outRow[x] = sum
                    }
                }
            }
        }
    }

    static func verticalPass(
        _ src: UnsafePointer<Float>, width: Int, rows: Range<Int>, weights: ResamplingWeights,
        into dst: UnsafeMutablePointer<Float>
    ) {
        let taps = weights.taps
        weights.indices.withUnsafeBufferPointer { idx in
            weights.weights.withUnsafeBufferPointer { wts in
                for y in rows {
                    let outRow = dst + y * width
                    outRow.update(repeating: 0, count: width)
                    for k in 0..<taps {
                        let w = wts[y * taps + k]
                        if w == 0 { continue }
                        let row = src + Int(idx[y * taps + k]) * width
                        for x in 0..<width { outRow[x] += w * row[x] }
                    }
                }
            }
        }
    }
}

extension Image {
    /// The image at a new size, bicubic by default.
    public func resized(
        width: Int, height: Int, kernel: ResamplingKernel = .bicubic,
        edge: EdgeMode = .renormalize, workers: Int = 1
    ) -> Image {
        Resampler(kernel: kernel, edge: edge, workers: workers).resample(self, width: width, height: height)
    }

    /// Each pixel repeated `factor` times in both directions (nearest neighbour).
    public func enlarged(by factor: Int) -> Image {
        resized(width: width * factor, height: height * factor, kernel: .nearest)
    }
}
