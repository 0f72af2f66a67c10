/// The EXIF orientation tag (1...8) of a JPEG: how to turn the stored pixels upright.
public enum ExifOrientation: Int, Sendable {
    case up = 1, upMirrored, down, downMirrored, leftMirrored, right, rightMirrored, left

    /// Finds the tag in a JPEG's APP1 "Exif" segment; nil when absent or malformed.
    public init?(jpeg bytes: [UInt8]) {
        var offset = 2
        while offset + 4 <= bytes.count, bytes[offset] == 0xFF {
            let marker = bytes[offset + 1]
            if marker == 0xDA || marker == 0xD9 { return nil }  // image data starts: no EXIF before it
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 2, offset + 2 + length <= bytes.count else { return nil }
            let segment = offset + 4
            if marker == 0xE1, length >= 8, Array(bytes[segment..<segment + 6]) == Array("Exif\0\0".utf8) {
                guard let value = Self.orientation(tiff: Array(bytes[(segment + 6)..<(offset + 2 + length)])) else {
                    return nil
                }
                self.init(rawValue: value)
                return
            }
            offset += 2 + length
        }
        return nil
    }

    private static func orientation(tiff: [UInt8]) -> Int? {
        guard tiff.count >= 8 else { return nil }
        let little: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at + 2 <= tiff.count else { return nil }
            return little ? Int(tiff[at]) | Int(tiff[at + 1]) << 8 : Int(tiff[at]) << 8 | Int(tiff[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard let ifd = u32(4), let count = u16(ifd) else { return nil }
        for entry in 0..<count {
            let at = ifd + 2 + entry * 12
            guard let tag = u16(at) else { return nil }
            if tag == 0x0112 { return u16(at + 8) }
        }
        return nil
    }

    /// The upright image.
    public func applied(to image: Image) -> Image {
        if self == .up { return image }
        let w = image.width, h = image.height
        let swaps = rawValue >= 5
        let outW = swaps ? h : w, outH = swaps ? w : h
        var out = Image(width: outW, height: outH, channels: image.channels)
        let plane = w * h
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outH {
                    for x in 0..<outW {
                        // (sx, sy): the stored pixel that lands at upright (x, y)
                        let (sx, sy): (Int, Int)
                        switch self {
                        case .up: (sx, sy) = (x, y)
                        case .upMirrored: (sx, sy) = (w - 1 - x, y)
                        case .down: (sx, sy) = (w - 1 - x, h - 1 - y)
                        case .downMirrored: (sx, sy) = (x, h - 1 - y)
                        case .leftMirrored: (sx, sy) = (y, x)
                        case .right: (sx, sy) = (y, h - 1 - x)
                        case .rightMirrored: (sx, sy) = (w - 1 - y, h - 1 - x)
                        case .left: (sx, sy) = (w - 1 - y, x)
                        }
                        for c in 0..<image.channels {
                            dst[c * plane + y * outW + x] = src[c * plane + sy * w + sx]
                        }
                    }
                }
            }
        }
        return out
    }
}
