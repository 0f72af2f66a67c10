import Testing

@testable import Imaging

/// The writer's quantisation, now in C, against the Swift formula it replaced: the same
/// samples for every float (so files do not change), including NaN, infinities and the
/// values either side of each rounding boundary.
@Suite struct QuantizeTests {
    /// Floats around every step k/scale and every rounding boundary (k + 0.5)/scale, a few
    /// ulps either side, and the odd ones out.
    private static func values(scale: Float, stepping: Int) -> [Float] {
        var values: [Float] = [
            .nan, -.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
            1, Float(1).nextDown, Float(1).nextUp, -1, 2, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0.5,
        ]
        for k in stride(from: 0, through: Int(scale), by: stepping) {
            for center in [Float(k) / scale, (Float(k) + 0.5) / scale] {
                var below = center, above = center
                for _ in 0..<3 {
                    below = below.nextDown
                    above = above.nextUp
                    values += [below, above]
                }
                values.append(center)
            }
        }
        var state: UInt32 = 2024
        for _ in 0..<5000 {
            state = state &* 1_664_525 &+ 1_013_904_223
            values.append(Float(state >> 8) / Float(1 << 24) * 1.6 - 0.3)
        }
        return values
    }

    @Test(arguments: [1, 2, 3, 4])
    func samplesMatchTheSwiftFormula(channels: Int) {
        for (depth, scale, stepping) in [(8, Float(255), 1), (16, Float(65535), 97)] {
            // Every value in every plane, repeated (shifted) past two bands of Bands.minimumItems
            // so that several workers share the planes; the plane size is odd.
            let values = Self.values(scale: scale, stepping: stepping)
            let plane = 2 * Bands.minimumItems + 12_345
            let pixels = (0..<plane * channels).map { values[($0 * 7 + $0 / values.count) % values.count] }
            let image = Image(width: plane, height: 1, channels: channels, pixels: pixels)
            for workers in [1, 3] {
                if depth == 8 {
                    let got: [UInt8] = ImageWriter.interleaved(image, workers: workers)
                    let expected = (0..<plane * channels).map { j in
                        let v = pixels[(j % channels) * plane + j / channels]
                        return UInt8((v.isNaN ? 0 : min(max(v, 0), 1)) * 255 + 0.5)
                    }
                    #expect(got == expected, "8 bits, \(channels) channels, \(workers) workers")
                } else {
                    let got: [UInt16] = ImageWriter.interleaved(image, workers: workers)
                    let expected = (0..<plane * channels).map { j in
                        let v = pixels[(j % channels) * plane + j / channels]
                        return UInt16((v.isNaN ? 0 : min(max(v, 0), 1)) * 65535 + 0.5)
                    }
                    #expect(got == expected, "16 bits, \(channels) channels, \(workers) workers")
                }
            }
        }
    }

    /// The PNG encoder quantizes rows in its workers: libpng reads back exactly the
    /// samples `interleaved` makes, for the same awkward values, at both depths.
    @Test(arguments: [(3, 8), (4, 16), (1, 8)])
    func pngHoldsTheInterleavedSamples(channels: Int, depth: Int) throws {
        let scale: Float = depth == 8 ? 255 : 65535
        let values = Self.values(scale: scale, stepping: depth == 8 ? 1 : 97)
        let (width, height) = (301, 97)
        let pixels = (0..<width * height * channels).map { values[($0 * 13) % values.count] }
        let image = Image(width: width, height: height, channels: channels, pixels: pixels)
        let bytes = try ImageWriter(pngBitDepth: depth, workers: 3).encode(image, as: .png)
        let back = try ImageReader().decode(bytes, path: "quantized.png")
        #expect(back.width == width && back.height == height && back.channels == channels)
        let decoded = back.pixels.map { Int(($0 * scale).rounded()) }
        let expected: [Int] =
            depth == 8
            ? (ImageWriter.interleaved(image) as [UInt8]).map(Int.init)
            : (ImageWriter.interleaved(image) as [UInt16]).map(Int.init)
        // `decoded` is planar, `expected` interleaved
        let plane = width * height
        let mismatches = (0..<plane * channels).filter { j in
            decoded[(j % channels) * plane + j / channels] != expected[j]
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) samples differ, first at \(mismatches.first ?? -1)")
    }
}
