import FileSupport
import Foundation
import TestSupport
import Testing

@testable import Imaging

private func pattern(channels: Int, width: Int = 9, height: Int = 6) -> Image {
    let count = width * height * channels
    return Image(
        width: width, height: height, channels: channels,
        pixels: (0..<count).map { Float(($0 * 7919) % 1000) / 999 })
}

@Suite struct ImageEncodingTests {
    @Test(arguments: [1, 2, 3, 4])
    func png8RoundTrip(channels: Int) throws {
        let folder = try temporaryFolder()
        let image = pattern(channels: channels)
        try image.write(to: folder + "/out.png")
        let back = try Image(contentsOf: folder + "/out.png")
        #expect(back.channels == channels)
        let worst = zip(image.pixels, back.pixels).map { abs($0 - $1) }.max()!
        #expect(worst <= 0.5 / 255 + 1e-6)
    }

    @Test func png16RoundTripIsFiner() throws {
        let folder = try temporaryFolder()
        let image = pattern(channels: 3)
        try ImageWriter(pngBitDepth: 16).write(image, to: folder + "/out.png")
        let back = try Image(contentsOf: folder + "/out.png")
        let worst = zip(image.pixels, back.pixels).map { abs($0 - $1) }.max()!
        #expect(worst <= 0.5 / 65535 + 1e-7)
    }

    @Test func jpegRoundTripIsClose() throws {
        let folder = try temporaryFolder()
        var image = Image(width: 32, height: 24, channels: 3)
        for c in 0..<3 { for y in 0..<24 { for x in 0..<32 { image[x, y, c] = Float(x + y + 8 * c) / 80 } } }
        try ImageWriter(jpegQuality: 95).write(image, to: folder + "/out.jpg")
        let back = try Image(contentsOf: folder + "/out.jpg")
        let mean = zip(image.pixels, back.pixels).map { abs($0 - $1) }.reduce(0, +) / Float(image.pixels.count)
        #expect(back.channels == 3 && mean < 0.01)
        // Lower quality makes a smaller file.
        let small = try ImageWriter(jpegQuality: 20).encode(image, as: .jpeg)
        let large = try ImageWriter(jpegQuality: 95).encode(image, as: .jpeg)
        #expect(small.count < large.count)
    }

    @Test func textChunksRoundTrip() throws {
        let folder = try temporaryFolder()
        try ImageWriter(textChunks: [(key: "dream", value: "{\"steps\": 10}")]).write(
            pattern(channels: 1), to: folder + "/t.png")
        #expect(try readPNGText(at: folder + "/t.png", key: "dream") == "{\"steps\": 10}")
        #expect(try readPNGText(at: folder + "/t.png", key: "other") == nil)
    }

    @Test func formatFollowsExtension() throws {
        let folder = try temporaryFolder()
        try pattern(channels: 3).write(to: folder + "/a.JPEG")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/a.JPEG")))
        #expect(ImageFormat(signature: bytes) == .jpeg)
        #expect(throws: ImagingError.unsupportedExtension(path: folder + "/a.bmp")) {
            try pattern(channels: 3).write(to: folder + "/a.bmp")
        }
    }

    @Test func writesNeverOverwriteInputsNorLeavePartials() throws {
        let folder = try temporaryFolder()
        let input = folder + "/in.png"
        try pattern(channels: 1).write(to: input)
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        #expect(throws: ImagingError.file(.wouldOverwriteInput(path: folder + "/./in.png"))) {
            try pattern(channels: 3).write(to: folder + "/./in.png", protecting: [input])
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
        #expect(throws: ImagingError.self) { try pattern(channels: 1).write(to: folder + "/missing/out.png") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["in.png"])
    }

}

@Suite struct ColorTests {
    @Test func yCbCrRoundTrip() {
        let image = pattern(channels: 3)
        let back = ColorSpace.join(ColorSpace.split(image))
        #expect(zip(image.pixels, back.pixels).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func lumaIsBT601() {
        let image = Image(width: 1, height: 1, channels: 3, pixels: [1, 0.5, 0.25])
        #expect(abs(ColorSpace.luma(of: image).pixels[0] - (0.299 + 0.587 * 0.5 + 0.114 * 0.25)) < 1e-6)
        let gray = ColorSpace.split(Image(width: 1, height: 1, channels: 3, pixels: [0.3, 0.3, 0.3]))
        #expect(abs(gray.cb.pixels[0] - 0.5) < 1e-6 && abs(gray.cr.pixels[0] - 0.5) < 1e-6)
    }

    @Test func colormapsMatchMatplotlibEndpoints() {
        // Known values of matplotlib's tables (first and last entries).
        let viridis0 = Colormap.viridis.color(0), viridis1 = Colormap.viridis.color(1)
        #expect(abs(viridis0.0 - 0.267004) < 1e-5 && abs(viridis0.2 - 0.329415) < 1e-5)
        #expect(abs(viridis1.0 - 0.993248) < 1e-5 && abs(viridis1.1 - 0.906157) < 1e-5)
        let jet0 = Colormap.jet.color(0)
        #expect(abs(jet0.2 - 0.5) < 1e-5 && jet0.0 == 0)
        #expect(Colormap.gray.color(1) == (1, 1, 1))
        for map in Colormap.allCases { #expect(map.table.count == 768) }
    }
}

/// PNG rows are filtered and deflated in bands on several threads: the bands are fixed by
/// the image's size, so the file is the same on any worker count, and libpng reads it back.
@Suite struct ParallelPNGTests {
    /// 700x600 RGBA at 8 bits is 2,800 bytes a row: four bands of rows; at 16 bits, eight.
    @Test(arguments: [(4, 8), (4, 16), (1, 8), (3, 16)])
    func bytesDoNotDependOnWorkersAndDecode(channels: Int, depth: Int) throws {
        let image = pattern(channels: channels, width: 700, height: 600)
        var writer = ImageWriter(pngBitDepth: depth, textChunks: [(key: "dream:settings", value: "{\"a\": 1}")])
        let one = try writer.encode(image, as: .png)
        for workers in [2, 3, 8] {
            writer.workers = workers
            let other = try writer.encode(image, as: .png)
            #expect(other == one, "\(channels) channels, \(depth) bits, \(workers) workers")
        }
        // Decoded by libpng: the samples quantized, nothing lost between the bands.
        let back = try ImageReader().decode(one, path: "parallel.png")
        #expect(back.channels == channels && back.width == 700 && back.height == 600)
        let step: Float = depth == 8 ? 255 : 65535
        let worst = zip(image.pixels, back.pixels).map { abs($0 - $1) }.max()!
        #expect(worst <= 0.5 / step + 1e-6, "\(channels) channels, \(depth) bits: \(worst)")
        let folder = try temporaryFolder()
        try Data(one).write(to: URL(fileURLWithPath: folder + "/p.png"))
        #expect(try readPNGText(at: folder + "/p.png", key: "dream:settings") == "{\"a\": 1}")
    }

    /// One row wider than a band (a band is then a row) and a single row.
    @Test func oneRowBandsAndASingleRow() throws {
        for (width, height) in [(200_000, 3), (50, 1)] {
            let image = pattern(channels: 3, width: width, height: height)
            let one = try ImageWriter().encode(image, as: .png)
            let many = try ImageWriter(workers: 3).encode(image, as: .png)
            #expect(one == many)
            let back = try ImageReader().decode(many, path: "wide.png")
            let worst = zip(image.pixels, back.pixels).map { abs($0 - $1) }.max()!
            #expect(worst <= 0.5 / 255 + 1e-6)
        }
    }
}

/// Bands of pixels on several threads: elementwise work and sums give the same result
/// on any worker count.
@Suite struct BandsTests {
    @Test func sumsAreTheSameOnAnyWorkerCount() {
        let values = (0..<300_001).map { Float(($0 * 7919) % 1000) / 999 - 0.3 }
        let sums = [1, 2, 3, 7].map { workers in
            values.withUnsafeBufferPointer { v in
                Bands.sum(v.count, workers: workers) { range in range.reduce(0.0) { $0 + Double(v[$1]) } }
            }
        }
        #expect(sums.allSatisfy { $0.bitPattern == sums[0].bitPattern })
        // And it is the sum: beside a sequential one in Double.
        let sequential = values.reduce(0.0) { $0 + Double($1) }
        #expect(abs(sums[0] - sequential) < 1e-6 * abs(sequential))
    }

    @Test func colourConversionIsTheSameOnAnyWorkerCount() {
        let photo = pattern(channels: 4, width: 500, height: 300)
        let one = ColorSpace.split(photo)
        let three = ColorSpace.split(photo, workers: 3)
        #expect(one.luma == three.luma && one.cb == three.cb && one.cr == three.cr && one.alpha == three.alpha)
        #expect(ColorSpace.join(one) == ColorSpace.join(one, workers: 3))
        var clamped = ColorSpace.join(one, workers: 2)
        clamped.clamp(workers: 3)
        #expect(clamped == ColorSpace.join(one).clamped())
    }
}
