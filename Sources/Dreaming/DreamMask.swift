import FileSupport
import Foundation
import Imaging
import Resampling

/// Where a dream may change the photo: one weight per pixel in [0, 1] (black 0: the photo
/// stays exactly as it was; white 1: the whole dream; gray: in between, linearly).
///
/// Applied as the last step, on the output's own values: out = photo + w (dream - photo).
/// A weight of 0 gives back the decoded photo's values bit for bit, so a PNG written from
/// them holds the photo's bytes there, whatever the mode, preset or colour handling did
/// elsewhere. (Masking the gradient instead would let patterns form around the mask, but
/// the strength and the range step measure the whole photo, so the masked-out area would
/// still move through them; see the README.)
public struct DreamMask: Sendable, Equatable {
    /// The weights, one plane.
    public let weights: Image
    /// The file's identity when read from one: its size and a 64-bit FNV-1a hash of its
    /// bytes, so a batch re-renders when a mask changes.
    public private(set) var fingerprint: String?

    /// A mask from any image: its luma (alpha is ignored), clamped to [0, 1].
    public init(_ image: Image) {
        var luma = ColorSpace.luma(of: image)
        luma.clamp()
        weights = luma
    }

    /// Reads a mask file; every problem is one line naming the file.
    public static func read(contentsOf path: String, maxPixels: Int = ImageReader.defaultMaxPixels) throws(DreamError)
        -> DreamMask
    {
        let reader = ImageReader(maxPixels: maxPixels)
        do {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            // A file too large for the limit: the reader refuses it and says why.
            if size > reader.maxFileBytes { return DreamMask(try reader.read(contentsOf: path)) }
            let bytes = try Files.read(path)
            var mask = DreamMask(try reader.decode(bytes, path: path))
            mask.fingerprint = fingerprint(of: bytes)
            return mask
        } catch {
            let text = (error as? LocalizedError)?.errorDescription ?? "\(error)"
            let problem = text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
            throw .maskUnreadable(path: path, problem: problem.escapingControlCharacters)
        }
    }

    /// The fingerprint of the file at `path`, nil when there is no readable file.
    public static func fingerprint(ofFile path: String) -> String? {
        (try? Files.read(path)).map { fingerprint(of: $0) }
    }

    /// "SIZE-HASH": the byte count and FNV-1a 64 of `bytes`, in hex.
    public static func fingerprint(of bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return "\(bytes.count)-" + String(hash, radix: 16)
    }

    /// The mask at `width` x `height`: resized with the project's bicubic resampler when
    /// the sizes differ (its overshoot clamped back into [0, 1]).
    public func fitted(width: Int, height: Int) -> DreamMask {
        guard weights.width != width || weights.height != height else { return self }
        var resized = DreamMask(Resampler(kernel: .bicubic).resample(weights, width: width, height: height))
        resized.fingerprint = fingerprint
        return resized
    }

    /// The dream where the mask is white, the photo where it is black, linear between:
    /// photo + w (dream - photo) per channel, with w = 0 giving the photo's own values.
    /// A gray dream of a colour photo comes back in colour (the gray dream in every
    /// channel), so the kept parts keep their colours. Alpha is the photo's.
    public func blend(dream: Image, photo: Image) -> Image {
        precondition(dream.width == photo.width && dream.height == photo.height)
        let fitted = fitted(width: photo.width, height: photo.height)
        let n = photo.planeSize
        var out = photo
        fitted.weights.pixels.withUnsafeBufferPointer { w in
            dream.pixels.withUnsafeBufferPointer { d in
                out.pixels.withUnsafeMutableBufferPointer { o in
                    for c in 0..<photo.colorChannels {
                        // A gray dream feeds every colour channel.
                        let source = d.baseAddress! + min(c, dream.colorChannels - 1) * n
                        let target = o.baseAddress! + c * n
                        for i in 0..<n where w[i] != 0 {
                            target[i] += w[i] * (source[i] - target[i])
                        }
                    }
                }
            }
        }
        return out
    }
}
