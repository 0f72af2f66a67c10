import Foundation
import Imaging
import TestSupport
import Testing

/// `dream explore` as a user runs it.
@Suite struct ExploreCommandTests {
    @Test func writesTheSheetAndItsManifest() throws {
        let folder = try temporaryFolder()
        let run = try runDream([
            "explore", "samples/flower.jpg", "--layer", "conv2", "--maps", "0-11", "--steps", "4", "--cell", "64",
            "-o", folder + "/sheet.png",
        ])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("12 maps of conv2") && run.output.contains("highest objective: maps"))
        let sheet = try Image(contentsOf: folder + "/sheet.png")
        #expect(sheet.width > 8 * 64)
        let manifest = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: folder + "/sheet.json")))
        #expect(((manifest as! [String: Any])["maps"] as! [Any]).count == 12)
    }

    @Test func badRequestsGiveOneLineErrors() throws {
        for (arguments, text) in [
            (["explore", "samples/flower.jpg", "--preset", "tiles"], "runs the downscale recipe, not tiles"),
            (["explore", "samples/flower.jpg", "--maps", "120-130"], "does not exist: layer conv3 has maps 0...127"),
            (["explore", "samples/flower.jpg", "--layer", "pool2"], "has no maps of its own"),
            (["explore", "samples/flower.jpg", "--cell", "5"], "--cell must be in 28...512"),
            (["explore", "nope.jpg"], "nope.jpg"),
        ] {
            let run = try runDream(arguments + ["-o", NSTemporaryDirectory() + "never.png"])
            #expect(run.status != 0, "\(arguments)")
            #expect(run.error.contains(text), "\(arguments): \(run.error)")
            #expect(run.error.split(separator: "\n").count == 1 || run.error.contains("Usage"), "\(run.error)")
            #expect(!run.error.contains("Fatal error"))
        }
    }
}
