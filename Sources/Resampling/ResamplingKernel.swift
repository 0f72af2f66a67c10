/// The filter that weighs source pixels when an image changes size.
public enum ResamplingKernel: String, Sendable, CaseIterable, Codable {
    /// The nearest source pixel: blocky enlargements for looking at 28x28 images.
    case nearest
    /// Linear interpolation (triangle filter, support 1).
    case bilinear
    /// Keys cubic convolution with a = -0.5 (support 2), the same as Pillow's BICUBIC.
    case bicubic
    /// Lanczos windowed sinc with 3 lobes (support 3).
    case lanczos3

    /// Half-width of the kernel at scale 1, in source pixels.
    public var support: Double {
        switch self {
        case .nearest: 0.5
        case .bilinear: 1
        case .bicubic: 2
        case .lanczos3: 3
        }
    }

    /// The kernel's weight at distance `x` (in source pixels at scale 1).
    public func weight(_ x: Double) -> Double {
        let x = abs(x)
        switch self {
        case .nearest:
            return x < 0.5 ? 1 : 0
        case .bilinear:
            return x < 1 ? 1 - x : 0
        case .bicubic:
            let a = -0.5
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        case .lanczos3:
            if x == 0 { return 1 }
            if x >= 3 { return 0 }
            let px = Double.pi * x
            return 3 * sin(px) * sin(px / 3) / (px * px)
        }
    }
}

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif
