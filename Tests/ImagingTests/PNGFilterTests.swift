import CCodecShims
import FileSupport
import NeuralNet
import Testing

@testable import Imaging

/// The encoder's vectorised row filter against the plain scalar one it replaced: the
/// same filter choice and the same bytes for every row, so the files do not change.
@Suite struct PNGFilterTests {
    /// Sums of |signed byte| reach ties and the -128/127 wrap with 0/127/128/255; smooth
    /// and constant rows make each of the five filters win somewhere.
    private static func row(_ n: Int, kind: Int, from other: [UInt8], _ random: inout SeededGenerator) -> [UInt8] {
        let extremes: [UInt8] = [0, 1, 127, 128, 129, 254, 255]
        return (0..<n).map { i in
            switch kind {
            case 0: return UInt8(truncatingIfNeeded: random.next())
            case 1: return extremes[Int(random.next() % UInt64(extremes.count))]
            case 2: return (other.isEmpty ? 100 : other[i]) &+ UInt8(random.next() % 3)  // close to the row above
            case 3: return UInt8(truncatingIfNeeded: i * 3) &+ UInt8(random.next() % 2)  // a ramp
            case 4: return i % 2 == 0 ? 128 : 127
            default: return 200
            }
        }
    }

    /// The dispatcher, the baseline build, and the AVX2 build where this CPU has AVX2.
    private static let variants:
        [(String, (UnsafePointer<UInt8>?, UnsafePointer<UInt8>?, Int, Int, UnsafeMutablePointer<UInt8>?) -> Void)] =
            [("dispatched", png_filter_row), ("baseline", png_filter_row_baseline)]
            + (png_filter_row_avx2_supported() != 0 ? [("avx2", png_filter_row_avx2)] : [])

    @Test func vectorisedFilterMatchesTheReference() {
        var random = SeededGenerator(seed: 14)  // the same rows on every run
        var chosen = Set<UInt8>()
        var rows = 0
        for bpp in [1, 2, 3, 4, 6, 8] {
            for n in Array(1...100) + [255, 1024] {
                for trial in 0..<12 {
                    let priorKind = trial % 6, rowKind = (trial / 2 + bpp) % 6
                    let prior =
                        trial == 11 ? [UInt8](repeating: 0, count: n) : Self.row(n, kind: priorKind, from: [], &random)
                    let row = Self.row(n, kind: rowKind, from: prior, &random)
                    var plain = [UInt8](repeating: 0x55, count: n + 1)
                    png_filter_row_reference(row, prior, n, bpp, &plain)
                    for (name, variant) in Self.variants {
                        var fast = [UInt8](repeating: 0xAA, count: n + 1)
                        variant(row, prior, n, bpp, &fast)
                        #expect(
                            fast == plain, "\(name), bpp \(bpp), \(n) bytes, trial \(trial): row \(row), prior \(prior)"
                        )
                    }
                    chosen.insert(plain[0])
                    rows += 1
                }
            }
        }
        // Not vacuous: every filter type was the choice for some row.
        #expect(chosen == [0, 1, 2, 3, 4], "filters chosen: \(chosen.sorted()) over \(rows) rows")
    }

    /// A fixed image (RGB and gray+alpha at 8 bits, RGB at 16): its file's SHA-256, taken
    /// from the encoder before the filter was vectorised and the 16-bit swap moved into the
    /// workers. Any change of filter choice, deflate settings, byte order or chunk layout
    /// shows here (and must then be deliberate).
    @Test(arguments: [
        (3, 8, "8d2a300f7ab56cffb09e2dd99b92500889d9cbc896b40a0527564c423879a2b2"),
        (2, 8, "8d9045cd04674b8ba80311b903900324d9de6d9ee9935a8fa9a64e145fbc6d37"),
        (3, 16, "63b27698f873fdd9543a8dfb27c88cd8bde5a4862eb0dfcbaca9f0dd179675a5"),
    ])
    func fileBytesArePinned(channels: Int, depth: Int, sha256: String) throws {
        let (width, height) = (333, 201)
        var pixels = [Float](repeating: 0, count: width * height * channels)
        for c in 0..<channels {
            for y in 0..<height {
                for x in 0..<width {
                    let value = (x * (c + 3) + y * y / 7 + ((x * y) % 13 == 0 ? 128 : 0)) % 256
                    pixels[(c * height + y) * width + x] = Float(value) / 255
                }
            }
        }
        let image = Image(width: width, height: height, channels: channels, pixels: pixels)
        let bytes = try ImageWriter(pngBitDepth: depth, textChunks: [(key: "k", value: "v")], workers: 2).encode(
            image, as: .png)
        #expect(SHA256.hex(bytes) == sha256)
    }
}
