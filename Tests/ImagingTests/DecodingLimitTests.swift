import CCodecShims
import Foundation
import TestSupport
import Testing

@testable import Imaging

/// Files whose decoding used to cost far more than their size (each case measured before
/// the limit on this 2-core machine): now refused or skipped, fast, with a message.
@Suite struct DecodingLimitTests {
    /// Seconds taken by `body`, and what it threw.
    private func timed(_ body: () throws -> Void) -> (seconds: Double, error: Error?) {
        let start = Date()
        do {
            try body()
            return (Date().timeIntervalSince(start), nil)
        } catch {
            return (Date().timeIntervalSince(start), error)
        }
    }

    private func message(_ error: Error?) -> String { (error as? LocalizedError)?.errorDescription ?? "no error" }

    @Test func craftedProgressiveJPEGIsAValidFile() throws {
        // The crafting itself is right: under the limit the file decodes to flat gray.
        let image = try ImageReader().decode(
            HostileFiles.progressiveJPEG(width: 64, height: 40, scans: Int(JPEG_SHIM_MAX_SCANS)), path: "ok.jpg")
        #expect(image.width == 64 && image.height == 40 && image.channels == 1)
        #expect(image.pixels.allSatisfy { abs($0 - 128 / 255) < 1e-6 })
    }

    @Test func oneScanOverTheLimitIsRefused() {
        let bytes = HostileFiles.progressiveJPEG(width: 64, height: 40, scans: Int(JPEG_SHIM_MAX_SCANS) + 1)
        let (_, error) = timed { _ = try ImageReader().decode(bytes, path: "scans.jpg") }
        #expect(
            message(error)
                == "scans.jpg: unsupported image (JPEG has more than 100 scans, the limit (encoders write a few dozen at most); re-save it as baseline JPEG or PNG)"
        )
    }

    @Test func thousandsOfScansFailFast() {
        // Without the limit 4000x4000 with 1000 scans (37 KB) decoded in 2.6 s, and
        // 10000x10000 with 2000 scans (354 KB) in 52 s.
        let bytes = HostileFiles.progressiveJPEG(width: 4000, height: 4000, scans: 2000)
        #expect(bytes.count < 80_000)
        let (seconds, error) = timed { _ = try ImageReader().decode(bytes, path: "scans.jpg") }
        #expect(message(error).contains("more than 100 scans"), "\(message(error))")
        #expect(seconds < 3, "took \(seconds) s")
    }

    @Test func extraCompressedDataAfterTheImageIsRefused() {
        // A 1x1 PNG whose IDAT inflates to 500 MB (3 MB file): libpng inflated all of it
        // after the last row, 4 s.
        let bytes = HostileFiles.png([
            HostileFiles.ihdr(width: 1, height: 1), ("IDAT", HostileFiles.zlibRepeating(0, count: 500_000_000)),
            ("IEND", []),
        ])
        let (seconds, error) = timed { _ = try ImageReader().decode(bytes, path: "idat.png") }
        #expect(
            message(error) == "idat.png: corrupt image data (more compressed image data than the image's size can need)"
        )
        #expect(seconds < 1, "took \(seconds) s")
    }

    @Test func compressedPixelsAtTheUsualRatioStillDecode() throws {
        // The IDAT cap counts compressed bytes: a large flat image compresses ~1000:1 and
        // an incompressible one not at all; both are under it.
        let flat = HostileFiles.png([
            HostileFiles.ihdr(width: 2000, height: 1000), ("IDAT", HostileFiles.zlibRepeating(0, count: 2001 * 1000)),
            ("IEND", []),
        ])
        #expect(try ImageReader().decode(flat, path: "flat.png").pixels.allSatisfy { $0 == 0 })
        var noise: [UInt8] = []
        var state: UInt32 = 1
        for _ in 0..<300 {
            noise.append(0)  // filter: none
            for _ in 0..<400 {
                state = state &* 1_664_525 &+ 1_013_904_223
                noise.append(UInt8(state >> 24))
            }
        }
        let stored = HostileFiles.png([
            HostileFiles.ihdr(width: 400, height: 300), ("IDAT", HostileFiles.zlibStored(noise)), ("IEND", []),
        ])
        let image = try ImageReader().decode(stored, path: "noise.png")
        #expect(abs(image.pixels[400 + 7] - Float(noise[401 + 1 + 7]) / 255) < 1e-6)  // x 7, y 1
    }

    @Test func textChunkBombsAreSkippedWhenDecoding() throws {
        // 200 zTXt chunks of 4 MB each (5 MB file): 14 s and 800 MB to decode an 8x8 image.
        let bomb = HostileFiles.zTXt("junk", inflatingTo: 4_000_000)
        let bytes = HostileFiles.grayPNG(width: 8, height: 8, value: 9, extra: Array(repeating: bomb, count: 200))
        var image: Image?
        let (seconds, error) = timed { image = try ImageReader().decode(bytes, path: "bomb.png") }
        #expect(error == nil, "\(message(error))")
        #expect(image?.pixels.allSatisfy { $0 == 9 / 255 } == true)
        #expect(seconds < 1, "took \(seconds) s")
    }

    @Test func bigMetadataChunksDoNotStopDecoding() throws {
        // Skipped chunks are never held in memory, so their size does not matter.
        let xmp = ("iTXt", Array("XML:com.adobe.xmp\0\0\0\0\0".utf8) + [UInt8](repeating: 0x41, count: 3_000_000))
        let image = try ImageReader().decode(HostileFiles.grayPNG(width: 8, height: 8, extra: [xmp]), path: "xmp.png")
        #expect(image.width == 8)
    }

    @Test func textReadingIsBounded() throws {
        let folder = try temporaryFolder()
        func write(_ name: String, _ extra: [(String, [UInt8])]) throws -> String {
            let path = folder + "/" + name
            try Data(HostileFiles.grayPNG(width: 8, height: 8, extra: extra)).write(to: URL(fileURLWithPath: path))
            return path
        }
        // Within the limits (64 text chunks of 1 MB) a compressed value reads back.
        let small = try write("small.png", [HostileFiles.zTXt("dream:settings", inflatingTo: 5000, of: 0x20)])
        #expect(try readPNGText(at: small, key: "dream:settings") == String(repeating: " ", count: 5000))
        let cases: [(String, [(String, [UInt8])])] = [
            // 200 x 4 MB of zTXt: 11 s and 800 MB
            ("bomb.png", Array(repeating: HostileFiles.zTXt("junk", inflatingTo: 4_000_000), count: 200)),
            // one 20 MB value
            ("big.png", [HostileFiles.zTXt("dream:settings", inflatingTo: 20_000_000)]),
            // 2000 chunks before ours
            (
                "many.png",
                Array(repeating: ("tEXt", Array("junk\0x".utf8)), count: 2000) + [
                    ("tEXt", Array("dream:settings\0{}".utf8))
                ]
            ),
        ]
        for (name, extra) in cases {
            let path = try write(name, extra)
            var text: String?
            let (seconds, error) = timed { text = try readPNGText(at: path, key: "dream:settings") }
            // Over the limits the chunk is dropped: no value, or an error that says so.
            #expect(text == nil, "\(name)")
            if let error {
                #expect(message(error).hasPrefix(path) && !message(error).contains("\n"), "\(message(error))")
            }
            #expect(seconds < 2, "\(name) took \(seconds) s")
        }
    }

    @Test func chunksLongerThanTheFileAreRefusedBeforeAllocating() throws {
        // Found by fuzz-pngtext: a 173-byte PNG whose tEXt chunk declared 2 GB; libpng
        // allocated that much before finding the file too short.
        let image = HostileFiles.grayPNG(width: 4, height: 4)
        let header = Array(image[0..<33])  // signature and IHDR
        let bytes = header + [0x78, 0x01, 0x00, 0x56] + Array("tEXtdream:settings\0{}".utf8) + Array(image[33...])
        let path = try temporaryFolder() + "/long-chunk.png"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let left = bytes.count - 41 - 4
        let expected = "a chunk declares 2013331542 bytes, more than the \(left) left in the file"
        #expect(throws: ImagingError.corrupt(path: path, detail: expected)) {
            try readPNGText(at: path, key: "dream:settings")
        }
        #expect(throws: ImagingError.corrupt(path: "x.png", detail: expected)) {
            try ImageReader().decode(bytes, path: "x.png")
        }
    }

    @Test func filesLargerThanAnyImageUnderTheLimitAreNotRead() throws {
        // A sparse file: 64 MB long, no disk used, refused from its size before reading.
        let path = try temporaryFolder() + "/sparse.png"
        try Data(HostileFiles.grayPNG(width: 8, height: 8)).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = ImageReader(maxPixels: 64)
        #expect(try reader.read(contentsOf: path).width == 8)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(reader.maxFileBytes + 1))
        try handle.close()
        let (seconds, error) = timed { _ = try reader.read(contentsOf: path) }
        #expect(
            message(error)
                == "\(path): cannot read the file (it is 64.0 MB, over the 64.0 MB that an image within the 6.4e-05-megapixel limit can take)"
        )
        #expect(seconds < 1)
    }
}
