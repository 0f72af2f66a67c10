/// Conversions between RGB and BT.601 luma/chroma (full-range YCbCr, as JPEG uses).
///
/// A dream changes the luminance only and keeps the photo's colors: split, dream on Y,
/// join with the original Cb and Cr.
public enum ColorSpace {
    /// Luma, blue-difference and red-difference planes; chroma is centred on 0.5.
    public struct YCbCr: Sendable {
        public var luma: Image
        public var cb: Image
        public var cr: Image
        /// The source's alpha plane, if it had one.
        public var alpha: Image?

        public init(luma: Image, cb: Image, cr: Image, alpha: Image? = nil) {
            self.luma = luma
            self.cb = cb
            self.cr = cr
            self.alpha = alpha
        }
    }

    /// The luma plane of any image (gray images are their own luma).
    public static func luma(of image: Image, workers: Int = 1) -> Image {
        if image.colorChannels == 1 { return image.plane(0) }
        let n = image.planeSize
        let y = [Float](unsafeUninitializedCapacity: n) { y, initialized in
            image.pixels.withUnsafeBufferPointer { p in
                Bands.run(n, workers: workers) { range in
                    for i in range { y[i] = 0.299 * p[i] + 0.587 * p[n + i] + 0.114 * p[2 * n + i] }
                }
            }
            initialized = n
        }
        return Image(width: image.width, height: image.height, pixels: y)
    }

    /// `split` without new chroma planes: a colour image's planes become Y, Cb and Cr in
    /// place (alpha stays) and the luma also comes back as a plane of its own. A large
    /// photo's storage then holds its chroma, and later the result, instead of three new
    /// planes each paying its first-touch page faults. Gray images stay as they are.
    /// The planes equal `split`'s.
    public static func splitInPlace(_ image: inout Image, workers: Int = 1) -> Image {
        if image.colorChannels == 1 { return image.plane(0) }
        let n = image.planeSize
        let luma = [Float](unsafeUninitializedCapacity: n) { y, initialized in
            image.pixels.withUnsafeMutableBufferPointer { p in
                Bands.run(n, workers: workers) { range in
                    for i in range {
                        let r = p[i], g = p[n + i], b = p[2 * n + i]
                        let luma: Float = 0.299 * r + 0.587 * g + 0.114 * b
                        y[i] = luma
                        p[i] = luma
                        p[n + i] = 0.5 - 0.168736 * r - 0.331264 * g + 0.5 * b
                        p[2 * n + i] = 0.5 + 0.5 * r - 0.418688 * g - 0.081312 * b
                    }
                }
            }
            initialized = n
        }
        return Image(width: image.width, height: image.height, pixels: luma)
    }

    /// `workers` threads take bands of pixels (the result does not depend on it).
    public static func split(_ image: Image, workers: Int = 1) -> YCbCr {
        let n = image.planeSize
        let alpha = image.hasAlpha ? image.plane(image.channels - 1) : nil
        if image.colorChannels == 1 {
            let luma = image.plane(0)
            let neutral = Image(width: image.width, height: image.height, value: 0.5)
            return YCbCr(luma: luma, cb: neutral, cr: neutral, alpha: alpha)
        }
        // Uninitialized planes: each worker's band takes its own first-touch page faults.
        var cb: [Float] = [], cr: [Float] = []
        let y = [Float](unsafeUninitializedCapacity: n) { y, yCount in
            cb = [Float](unsafeUninitializedCapacity: n) { cb, cbCount in
                cr = [Float](unsafeUninitializedCapacity: n) { cr, crCount in
                    image.pixels.withUnsafeBufferPointer { p in
                        Bands.run(n, workers: workers) { range in
                            for i in range {
                                let r = p[i], g = p[n + i], b = p[2 * n + i]
                                y[i] = 0.299 * r + 0.587 * g + 0.114 * b
                                cb[i] = 0.5 - 0.168736 * r - 0.331264 * g + 0.5 * b
                                cr[i] = 0.5 + 0.5 * r - 0.418688 * g - 0.081312 * b
                            }
                        }
                    }
                    crCount = n
                }
                cbCount = n
            }
            yCount = n
        }
        return YCbCr(
            luma: Image(width: image.width, height: image.height, pixels: y),
            cb: Image(width: image.width, height: image.height, pixels: cb),
            cr: Image(width: image.width, height: image.height, pixels: cr),
            alpha: alpha)
    }

    /// RGB(A) from luma and chroma planes of equal size.
    public static func join(_ parts: YCbCr, workers: Int = 1) -> Image {
        let n = parts.luma.planeSize
        let planes = parts.alpha == nil ? 3 : 4
        let rgb = [Float](unsafeUninitializedCapacity: planes * n) { rgb, initialized in
            parts.luma.pixels.withUnsafeBufferPointer { luma in
                parts.cb.pixels.withUnsafeBufferPointer { cbs in
                    parts.cr.pixels.withUnsafeBufferPointer { crs in
                        Bands.run(n, workers: workers) { range in
                            for i in range {
                                let y = luma[i], cb = cbs[i] - 0.5, cr = crs[i] - 0.5
                                rgb[i] = y + 1.402 * cr
                                rgb[n + i] = y - 0.344136 * cb - 0.714136 * cr
                                rgb[2 * n + i] = y + 1.772 * cb
                            }
                        }
                    }
                }
            }
            if let alpha = parts.alpha {
                _ = UnsafeMutableBufferPointer(rebasing: rgb[(3 * n)...]).initialize(from: alpha.pixels)
            }
            initialized = planes * n
        }
        return Image(
            width: parts.luma.width, height: parts.luma.height, channels: parts.alpha == nil ? 3 : 4,
            pixels: rgb)
    }
}
