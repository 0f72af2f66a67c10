import Foundation
import Imaging
import TestSupport
import Testing

/// The `dream` binary as a user meets it: exit codes and one-line errors that name the
/// problem. Runs the debug build that `swift test` builds alongside the tests; every test
/// fails when it is missing.
@Suite(.tags(.slow), .skippedByFastRuns) struct CommandLineTests {

    struct Run {
        var status: Int32
        var output: String
        var error: String
        /// Killed by a signal (a trap, a crash), not an exit.
        var signaled = false
    }

    func dream(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try dreamBinary())
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: repositoryRoot)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile(),
            error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            error: String(decoding: error, as: UTF8.self), signaled: process.terminationReason == .uncaughtSignal)
    }

    func expectFailure(_ arguments: [String], saying text: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let run = try dream(arguments)
        #expect(run.status != 0, "\(arguments) exited 0", sourceLocation: sourceLocation)
        #expect(!run.signaled, "\(arguments) died of signal \(run.status)", sourceLocation: sourceLocation)
        #expect(run.error.contains(text), "\(arguments): stderr was \(run.error)", sourceLocation: sourceLocation)
        #expect(!run.error.contains("Fatal error") && !run.error.contains("Stack dump"), sourceLocation: sourceLocation)
    }

    @Test func badArgumentsGiveClearErrors() throws {
        let folder = try temporaryFolder()
        let photo = "samples/flower.jpg"
        try expectFailure([], saying: "give at least one photo")
        try expectFailure(
            ["--map", "200", photo, "-o", folder + "/x.png"],
            saying: "map 200 does not exist: layer conv3 has maps 0...127")
        try expectFailure(["--maps", "1,x", photo], saying: "--maps: 'x' is not a map or MAP=WEIGHT")
        try expectFailure(["--map", "3", "--maps", "1,2", photo], saying: "give --map or --maps, not both")
        try expectFailure(["--layers", "conv2=abc", photo], saying: "--layers takes NAME=WEIGHT pairs")
        try expectFailure(["--layer", "conv9", photo, "-o", folder + "/x.png"], saying: "no layer named 'conv9'")
        try expectFailure(["--class", "12", photo, "-o", folder + "/x.png"], saying: "class 12 does not exist")
        try expectFailure(["--mode", "sideways", photo], saying: "sideways")
        try expectFailure(["--steps=-3", photo], saying: "--steps: must be in 0...10000, not -3")
        try expectFailure(["--preset", "nope", photo], saying: "preset 'nope' not found")
        try expectFailure(
            ["--mode", "tiles", "--octaves", "8", "--octave-scale", "2", photo, "-o", folder + "/x.png"],
            saying: "octave 1: image has shrunk to 5x3, below 28x28; use fewer octaves")
        try expectFailure(
            ["--mode", "conv", "--class", "3", photo, "-o", folder + "/x.png"], saying: "needs 28x28 inputs")
        try expectFailure(["predict", "--mnist", "test:99999"], saying: "index 99999 is beyond the 10000 test images")
        try expectFailure(
            ["sheet", "--layer", "conv2", "--maps", "70"], saying: "map 70 does not exist: layer conv2 has maps 0...63")
        try expectFailure(["batch", "samples", "--shard", "3/2"], saying: "--shard takes K/N")
        try expectFailure(["bench", "--only", "train,speedy"], saying: "--only: unknown group 'speedy'; use machine")
        try expectFailure(["--model", "README.md", photo], saying: "README.md: not a safetensors file")
        // An output folder that cannot exist: a file is in its way.
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/file"))
        try expectFailure(
            ["--steps", "1", photo, "-o", folder + "/file/x.png"],
            saying: "\(folder)/file: cannot create the output folder (\(folder)/file is a file, not a folder)")
        try expectFailure(
            ["oip", "--map", "1", "-o", folder + "/file/sub"],
            saying: "cannot create the output folder (\(folder)/file is a file, not a folder)")
    }

    @Test func badFilesFailAloneAndLeaveNothingBehind() throws {
        let folder = try temporaryFolder()
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: folder + "/bad.jpg"))
        let run = try dream([
            "--steps", "2", folder + "/bad.jpg", "/nonexistent/photo.jpg", "samples/flower.jpg", "-o", folder + "/out",
        ])
        #expect(run.status == 1)
        #expect(run.error.contains("\(folder)/bad.jpg: not a PNG or JPEG image"))
        #expect(run.error.contains("/nonexistent/photo.jpg: cannot read the file (no such file)"))
        #expect(run.error.split(separator: "\n").count == 2, "one line per failure: \(run.error)")
        // The good photo still rendered; the bad ones left no file.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/out") == ["flower-ghost-m56.png"])
        // Inputs are never overwritten.
        try FileManager.default.copyItem(atPath: repositoryRoot + "/samples/chelsea.png", toPath: folder + "/c.png")
        let before = FileManager.default.contents(atPath: folder + "/c.png")
        let overwrite = try dream(["--steps", "1", folder + "/c.png", "-o", folder + "/c.png"])
        #expect(overwrite.status != 0 && overwrite.error.contains("refusing to overwrite an input file"))
        #expect(FileManager.default.contents(atPath: folder + "/c.png") == before)
    }

    @Test func renderAndReuseItsSettings() throws {
        let folder = try temporaryFolder()
        // -o into a folder that does not exist yet: it is made.
        let first = try dream([
            "--preset", "ghost", "--map", "17", "--steps", "3", "samples/flower.jpg", "-o", folder + "/new/a.png",
        ])
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.contains("samples/flower.jpg -> \(folder)/new/a.png (640x427"))
        try FileManager.default.moveItem(atPath: folder + "/new/a.png", toPath: folder + "/a.png")
        let again = try dream(["--from", folder + "/a.png", "samples/flower.jpg", "-o", folder + "/b.png"])
        #expect(again.status == 0)
        #expect(
            FileManager.default.contents(atPath: folder + "/a.png")
                == FileManager.default.contents(atPath: folder + "/b.png"))
        let view = try dream(["view", "samples/flower.jpg", "--raw", "-o", folder + "/v.png"])
        #expect(view.status == 0)
        let small = try Image(contentsOf: folder + "/v.png")
        #expect(small.width == 28 && small.height == 28 && small.channels == 1)
        let json = try dream(["predict", "--mnist", "test:0", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as! [String: Any]
        let probabilities = object["probabilities"] as! [Double]
        #expect(probabilities.count == 10 && abs(probabilities.reduce(0, +) - 1) < 1e-4)
        #expect(object["top"] as? Int == object["label"] as? Int)
    }
}
