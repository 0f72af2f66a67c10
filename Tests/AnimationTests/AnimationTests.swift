import Animation
import Foundation
import Imaging
import TestSupport
import Testing

@Suite struct AnimationWriterTests {
    func frames(_ count: Int, width: Int = 40, height: Int = 30) -> [Image] {
        (0..<count).map { i in
            var image = syntheticPhoto(width: width, height: height)
            for p in image.pixels.indices {
                image.pixels[p] = (image.pixels[p] + Float(i) * 0.1).truncatingRemainder(dividingBy: 1)
            }
            return image
        }
    }

    @Test(arguments: ["webp", "gif"])
    func writtenAnimationDecodesWithFrameCountAndSize(ext: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/a." + ext
        let images = frames(7)
        try AnimationWriter(framesPerSecond: 12).write(count: 7, width: 40, height: 30, to: path) { images[$0] }
        let probe = try AnimationProbe.read(path)
        #expect(probe == AnimationProbe(frames: 7, width: 40, height: 30, loops: 0))
        // Nothing else left in the folder: the file appeared by rename.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["a." + ext])
    }

    @Test func framesOfAnotherSizeAreRefusedAndNothingIsWritten() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/a.webp"
        let images = frames(2) + frames(1, width: 20, height: 30)
        #expect(throws: AnimationError.sizeMismatch(path: path, frame: 3, expected: "40x30", got: "20x30")) {
            try AnimationWriter().write(count: 3, width: 40, height: 30, to: path) { images[$0] }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func unknownExtensionIsRefused() throws {
        #expect(throws: AnimationError.unsupportedExtension(path: "x.avi")) {
            try AnimationWriter().write(count: 1, width: 4, height: 4, to: "x.avi") { _ in Image(width: 4, height: 4) }
        }
    }

    @Test func mp4NamesTheMissingProgramInOneLine() throws {
        let error = AnimationError.programMissing(path: "out.mp4", program: "ffmpeg")
        let text = error.errorDescription!
        #expect(text.contains("ffmpeg") && text.contains("out.mp4") && !text.contains("\n"))
        if AnimationWriter.findProgram("ffmpeg") == nil {
            #expect(throws: error) {
                try AnimationWriter().write(count: 1, width: 4, height: 4, to: "out.mp4") { _ in
                    Image(width: 4, height: 4)
                }
            }
        }
    }
}
