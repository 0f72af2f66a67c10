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
