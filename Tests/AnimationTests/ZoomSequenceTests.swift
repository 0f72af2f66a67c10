import Dreaming
import Foundation
import Imaging
import TestSupport
import Testing

@Suite struct ZoomSequenceTests {
    func settings() -> DreamSettings {
        var s = DreamSettings()
        s.steps = 3
        s.loops = 2
        s.stepSize = 0.01
        s.seed = 7
        return s
    }

    func sequence(_ folder: String, settings: DreamSettings? = nil) throws -> ZoomSequence {
        var motion = ZoomSequence.Motion()
        motion.zoom = 1.05
        motion.degrees = 2
        motion.shiftX = 0.5
        return ZoomSequence(
            renderer: DreamRenderer(model: try bundledModel(), workers: 2), settings: settings ?? self.settings(),
            motion: motion, folder: folder)
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func resumedRunGivesTheSameFramesAsAnUninterruptedOne() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let photo = syntheticPhoto(width: 64, height: 48)
        let zoom = try sequence(folder)
        #expect(try zoom.run(photo: photo, count: 6) == 6)
        let original = try (1...6).map { try bytes(zoom.framePath($0)) }
        #expect(Set(original).count == 6, "every frame differs from the one before")
        for n in 4...6 { try FileManager.default.removeItem(atPath: zoom.framePath(n)) }
        #expect(zoom.completedFrames() == 3)
        let resumed = try sequence(folder)
        #expect(try resumed.run(photo: photo, count: 6) == 3)
        for n in 1...6 { #expect(try bytes(zoom.framePath(n)) == original[n - 1], "frame \(n)") }
        // A finished folder renders nothing more.
        #expect(try resumed.run(photo: photo, count: 6) == 0)
        // A fresh folder with the same seed gives the same bytes; another seed does not.
        let again = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: again) }
        try sequence(again).run(photo: photo, count: 2)
        #expect(try bytes(again + "/frame-0002.png") == original[1])
        var other = settings()
        other.seed = 8
        let otherFolder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: otherFolder) }
        try sequence(otherFolder, settings: other).run(photo: photo, count: 2)
        #expect(try bytes(otherFolder + "/frame-0002.png") != original[1])
    }

    @Test func folderOfOtherSettingsIsRefused() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let photo = syntheticPhoto(width: 64, height: 48)
        try sequence(folder).run(photo: photo, count: 1)
        var other = settings()
        other.steps = 4
        #expect(throws: DreamError.self) { try sequence(folder, settings: other).run(photo: photo, count: 2) }
        #expect(!FileManager.default.fileExists(atPath: folder + "/frame-0002.png"))
    }

    @Test func frameSeedsDifferPerFrameAndSeed() {
        let seeds = (1...100).map { ZoomSequence.frameSeed(1, frame: $0) }
        #expect(Set(seeds).count == 100)
        #expect(ZoomSequence.frameSeed(1, frame: 5) != ZoomSequence.frameSeed(2, frame: 5))
    }
}

@Suite struct FramesEveryTests {
    /// Every mode hands out frames at the photo's size; the count follows the step count.
    @Test(arguments: DreamSettings.Mode.allCases)
    func everyModeGivesFramesOfThePhotoSize(mode: DreamSettings.Mode) throws {
        var settings = DreamSettings()
        settings.mode = mode
        settings.steps = 4
        settings.loops = 2
        settings.octaves = 2
        settings.range = .none
        // Step-count frames: version 1 steps (no strength calibration after the last step).
        settings.strength = nil
        if mode == .conv { settings.maps = [3] }
        let renderer = DreamRenderer(model: try bundledModel(), workers: 2)
        var frames: [Image] = []
        renderer.frameEvery = 2
        renderer.onFrame = { frames.append($0) }
        let photo = syntheticPhoto(width: 90, height: 70)
        let result = try renderer.render(photo, settings: settings)
        let steps = result.history.count
        #expect(steps > 0)
        #expect(frames.count == steps / 2)
        #expect(frames.allSatisfy { $0.width == 90 && $0.height == 70 && $0.channels == result.image.channels })
        // With no range step after the last ascent, the last frame is the result itself
        // (octave modes end at the photo's size).
        if mode != .downscale && steps % 2 == 0 {
            #expect(maxDifference(frames.last!, result.image) < 1e-6)
        }
        // Without the hook the result is the same bytes.
        let plain = try DreamRenderer(model: try bundledModel(), workers: 2).render(photo, settings: settings)
        #expect(plain.image == result.image)
    }
}
