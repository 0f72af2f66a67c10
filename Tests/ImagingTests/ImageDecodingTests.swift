import FileSupport
import Foundation
import Testing

@testable import Imaging

func fixture(_ name: String) -> String {
    Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!.path
}

private let width = 7, height = 5

private func v8(_ x: Int, _ y: Int, _ c: Int) -> Float { Float((x * 37 + y * 11 + c * 71) % 256) / 255 }
private func v16(_ x: Int, _ y: Int, _ c: Int) -> Float { Float((x * 4099 + y * 1031 + c * 7919) % 65536) / 65535 }

private func expectPixels(
    _ image: Image, channels: Int, tolerance: Float = 1e-6,
    _ expected: (Int, Int, Int) -> Float
) {
    #expect(image.width == width && image.height == height && image.channels == channels)
    var worst: Float = 0
    for c in 0..<channels {
        for y in 0..<height {
            for x in 0..<width { worst = max(worst, abs(image[x, y, c] - expected(x, y, c))) }
        }
    }
    #expect(worst <= tolerance, "max abs error \(worst)")
}

@Suite struct PNGDecodingTests {
    @Test(arguments: [1, 2, 4])
    func lowBitGray(depth: Int) throws {
        let image = try Image(contentsOf: fixture("gray\(depth).png"))
        let top = Float((1 << depth) - 1)
        expectPixels(image, channels: 1) { x, y, _ in Float((x + y) % (1 << depth)) / top }
    }

    @Test func gray8() throws {
        expectPixels(try Image(contentsOf: fixture("gray8.png")), channels: 1, v8)
    }

    @Test func gray16KeepsFullPrecision() throws {
        expectPixels(try Image(contentsOf: fixture("gray16.png")), channels: 1, tolerance: 1e-7, v16)
    }

    @Test func grayAlpha() throws {
        expectPixels(try Image(contentsOf: fixture("graya8.png")), channels: 2) { x, y, c in v8(x, y, c == 0 ? 0 : 3) }
    }

    @Test func rgbAndRGBA() throws {
        expectPixels(try Image(contentsOf: fixture("rgb8.png")), channels: 3, v8)
        expectPixels(try Image(contentsOf: fixture("rgba8.png")), channels: 4, v8)
        expectPixels(try Image(contentsOf: fixture("rgb16.png")), channels: 3, tolerance: 1e-7, v16)
        expectPixels(try Image(contentsOf: fixture("rgba16.png")), channels: 4, tolerance: 1e-7, v16)
    }

    @Test func interlacedEqualsPlain() throws {
        expectPixels(try Image(contentsOf: fixture("rgb8-interlaced.png")), channels: 3, v8)
    }

    @Test func paletteExpandsToRGB() throws {
        let palette: [[Float]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]
        expectPixels(try Image(contentsOf: fixture("palette2.png")), channels: 3) { x, y, c in
            palette[(x + 2 * y) % 4][c]
        }
        // tRNS makes entry 1 transparent: an alpha channel appears.
        expectPixels(try Image(contentsOf: fixture("palette2-trns.png")), channels: 4) { x, y, c in
            let entry = (x + 2 * y) % 4
            return c == 3 ? (entry == 1 ? 0 : 1) : palette[entry][c]
        }
    }

    @Test func rgbTRNSBecomesAlpha() throws {
        expectPixels(try Image(contentsOf: fixture("rgb8-trns.png")), channels: 4) { x, y, c in
            c < 3 ? v8(x, y, c) : (x == 0 && y == 0 ? 0 : 1)
        }
    }
}

@Suite struct JPEGDecodingTests {
    private func meanAbsDifference(_ a: Image, _ b: Image) -> Float {
        #expect(a.width == b.width && a.height == b.height && a.channels == b.channels)
        return zip(a.pixels, b.pixels).map { abs($0 - $1) }.reduce(0, +) / Float(a.pixels.count)
    }

    @Test func baselineAndProgressiveColor() throws {
        let source = try Image(contentsOf: fixture("source-rgb.png"))
        for name in ["baseline-rgb.jpg", "progressive-rgb.jpg"] {
            let image = try Image(contentsOf: fixture(name))
            #expect(image.channels == 3)
            #expect(meanAbsDifference(image, source) < 0.01, "\(name)")
        }
    }

    @Test func grayscale() throws {
        let image = try Image(contentsOf: fixture("baseline-gray.jpg"))
        #expect(image.channels == 1)
        #expect(meanAbsDifference(image, try Image(contentsOf: fixture("source-gray.png"))) < 0.01)
    }

    @Test func cmykIsConvertedToRGB() throws {
        let image = try Image(contentsOf: fixture("cmyk.jpg"))
        #expect(image.channels == 3)
        #expect(meanAbsDifference(image, try Image(contentsOf: fixture("source-rgb.png"))) < 0.03)
    }

    @Test func exifOrientationTurnsUpright() throws {
        let source = try Image(contentsOf: fixture("source-rgb.png"))
        let image = try Image(contentsOf: fixture("orientation6.jpg"))
        #expect(image.width == source.height && image.height == source.width)
        // Orientation 6: the stored top-left pixel shows at the top-right.
        #expect(abs(image[image.width - 1, 0, 0] - source[0, 0, 0]) < 0.03)
        #expect(abs(image[0, image.height - 1, 0] - source[source.width - 1, source.height - 1, 0]) < 0.05)
        let raw = try ImageReader(appliesOrientation: false).read(contentsOf: fixture("orientation6.jpg"))
        #expect(raw.width == source.width)
    }

    @Test func allEightOrientationsAreInverses() {
        let image = Image(width: 3, height: 2, pixels: [1, 2, 3, 4, 5, 6])
        let expected: [ExifOrientation: [Float]] = [
            .up: [1, 2, 3, 4, 5, 6], .upMirrored: [3, 2, 1, 6, 5, 4], .down: [6, 5, 4, 3, 2, 1],
            .downMirrored: [4, 5, 6, 1, 2, 3], .leftMirrored: [1, 4, 2, 5, 3, 6], .right: [4, 1, 5, 2, 6, 3],
            .rightMirrored: [6, 3, 5, 2, 4, 1], .left: [3, 6, 2, 5, 1, 4],
        ]
        for (orientation, pixels) in expected {
            #expect(orientation.applied(to: image).pixels == pixels, "\(orientation)")
        }
    }
}

@Suite struct BadInputTests {
    private func expectError(
        _ name: String, maxPixels: Int = ImageReader.defaultMaxPixels,
        _ matches: (ImagingError) -> Bool
    ) {
        do {
            _ = try ImageReader(maxPixels: maxPixels).read(contentsOf: fixture(name))
            Issue.record("\(name) decoded without error")
        } catch {
            #expect(matches(error), "\(name): \(error)")
            let message = error.errorDescription ?? ""
            #expect(message.contains(name), "message names the file: \(message)")
            #expect(!message.contains("\n"), "one line: \(message)")
        }
    }

    @Test func corruptFiles() {
        expectError("truncated.png") { if case .corrupt = $0 { true } else { false } }
        expectError("bad-crc.png") { if case .corrupt = $0 { true } else { false } }
        expectError("truncated.jpg") { if case .corrupt = $0 { true } else { false } }
        expectError("empty.png") { if case .corrupt = $0 { true } else { false } }
        expectError("zero-width.png") { if case .corrupt = $0 { true } else { false } }
    }

    @Test func notAnImage() {
        expectError("text.png") { $0 == .unknownFormat(path: fixture("text.png")) }
    }

    @Test func tooLargeIsRefusedBeforeDecoding() {
        expectError("rgb8.png", maxPixels: 34) { if case .tooLarge(_, 7, 5, 34) = $0 { true } else { false } }
        expectError("baseline-rgb.jpg", maxPixels: 100) {
            if case .tooLarge(_, 40, 24, 100) = $0 { true } else { false }
        }
    }

    @Test func unreadablePaths() {
        do {
            _ = try Image(contentsOf: "/nonexistent/photo.jpg")
            Issue.record("no error")
        } catch {
            #expect(error == .file(.unreadable(path: "/nonexistent/photo.jpg", reason: "no such file")))
        }
        do {
            _ = try Image(contentsOf: NSTemporaryDirectory())
            Issue.record("no error")
        } catch {
            #expect(error == .file(.unreadable(path: NSTemporaryDirectory(), reason: "it is a directory")))
        }
    }
}
