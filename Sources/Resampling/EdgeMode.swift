/// What a kernel reads where it reaches past the image's border.
public enum EdgeMode: String, Sendable, CaseIterable, Codable {
    /// Drop the taps outside and rescale the rest to sum 1 (Pillow's behaviour).
    case renormalize
    /// Repeat the border pixel.
    case clamp
    /// Mirror at the border without repeating it (..., 2, 1, 0, 1, 2, ...).
    case reflect
    /// Wrap around to the opposite border (a periodic image: seamless textures).
    case wrap

    /// The in-range index that stands for `index` on an axis of `count` pixels.
    @inline(__always)
    public func map(_ index: Int, count: Int) -> Int {
        if index >= 0 && index < count { return index }
        switch self {
        case .renormalize, .clamp:
            return min(max(index, 0), count - 1)
        case .reflect:
            return Self.reflect(index, count: count)
        case .wrap:
            let i = index % count
            return i < 0 ? i + count : i
        }
    }

    @inline(__always)
    static func reflect(_ index: Int, count: Int) -> Int {
        if count == 1 { return 0 }
        let period = 2 * (count - 1)
        var i = index % period
        if i < 0 { i += period }
        return i < count ? i : period - i
    }
}
