import Dreaming
import FileSupport
import Foundation
import TestSupport
import Testing

@Suite struct OutputPlanTests {
    @Test func folderOrFileFollowsWhatWasGiven() throws {
        let folder = try temporaryFolder()
        var settings = DreamSettings()
        settings.layer = "conv3"
        settings.maps = [56]
        // Nothing given: the default folder, a name per photo.
        let byDefault = try OutputPlan(inputs: ["a/flower.jpg"], output: nil)
        #expect(byDefault.target == .folder("out"))
        #expect(
            byDefault.output(for: "a/flower.jpg", preset: "ghost", settings: settings) == "out/flower-ghost-m56.png")
        // One photo, a name that is no folder: that file.
        let single = try OutputPlan(inputs: ["p.jpg"], output: folder + "/new/x.jpg")
        #expect(single.output(for: "p.jpg", preset: "ghost", settings: settings) == folder + "/new/x.jpg")
        try single.createFolders()
        #expect(Files.isFolder(folder + "/new") && !FileManager.default.fileExists(atPath: folder + "/new/x.jpg"))
        // An existing folder, or a name ending in "/", is a folder even for one photo.
        #expect(try OutputPlan(inputs: ["p.jpg"], output: folder).target == .folder(folder))
        #expect(try OutputPlan(inputs: ["p.jpg"], output: folder + "/d/").target == .folder(folder + "/d/"))
        // Several photos into a new name: it becomes a folder; a file in the way is refused.
        #expect(
            try OutputPlan(inputs: ["p.jpg", "q.jpg"], output: folder + "/many").target == .folder(folder + "/many"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/file"))
        #expect(throws: DreamError.outputMustBeFolder(path: folder + "/file")) {
            try OutputPlan(inputs: ["p.jpg", "q.jpg"], output: folder + "/file")
        }
        #expect(OutputPlan.stagesPath(for: "out/a.png") == "out/a-stages.png")
    }
}
