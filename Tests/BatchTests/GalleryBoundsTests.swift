import Dreaming
import Foundation
import Imaging
import TestSupport
import Testing

@testable import Batch

/// The gallery's thumbnails stay small whatever a picture's aspect: a 400000x1 PNG
/// (945 bytes) rendered fine, then its thumbnail asked for 40 GB and aborted the batch,
/// on every rerun.
@Suite struct GalleryBoundsTests {
    @Test func thumbnailsOfAPanoramaFitTheirBox() throws {
        let folder = try temporaryFolder()
        var wide = Image(width: 400_000, height: 1)
        for x in 0..<wide.width { wide.pixels[x] = Float(x % 100) / 99 }
        try wide.write(to: folder + "/wide.png")
        try syntheticPhoto(width: 96, height: 72).write(to: folder + "/photo.png")
        // Each render is its own original here, so both kinds of thumbnail are drawn.
        let renders = ["wide.png", "photo.png"].map {
            BatchManifest.Render(
                input: folder + "/" + $0, preset: "p", settings: DreamSettings(), seed: 0, seconds: 0, output: $0)
        }
        let start = Date()
        let html = Gallery.html(for: BatchManifest(renders: renders, failures: []), folder: folder)
        #expect(Date().timeIntervalSince(start) < 10)
        var sizes: [String] = []
        for part in html.components(separatedBy: "data:image/jpeg;base64,").dropFirst() {
            let encoded = String(part.prefix { $0 != "\"" && $0 != ")" && $0 != "'" })
            let bytes = try #require(Data(base64Encoded: encoded))
            let thumbnail = try ImageReader().decode([UInt8](bytes), path: "thumbnail")
            #expect((1...640).contains(thumbnail.width) && (1...160).contains(thumbnail.height))
            sizes.append("\(thumbnail.width)x\(thumbnail.height)")
        }
        // Each render (shown by preset and by image) and each original: the panorama's are
        // one row high, the photo's keep 4:3.
        #expect(sizes.count == 6, "\(sizes)")
        #expect(sizes.filter { $0.hasSuffix("x1") }.count == 3, "\(sizes)")
    }
}
