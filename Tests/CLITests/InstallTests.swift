import Foundation
import TestSupport
import Testing

/// The installed tool as a new user meets it: `make install` into a temporary PREFIX, the
/// install then moved elsewhere (so nothing can lean on paths from build time), and every
/// command run from an unrelated folder with no DREAM_HOME. Builds a release binary in its
/// own build folder (`swift test` holds the lock on .build), so it is slow.
@Suite(.tags(.slow), .skippedByFastRuns, .serialized) struct InstallTests {
    typealias Run = ProcessRun

    /// Runs `executable` in `folder` with a clean environment (PATH and HOME only).
    static func run(_ executable: String, _ arguments: [String], in folder: String, environment: [String: String] = [:])
        throws -> Run
    {
        var base = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": folder]
        base.merge(environment) { $1 }
        return try runProcess(executable, arguments, in: folder, environment: base)
    }

    /// One install for the whole suite: `make install` into a staging PREFIX, then moved.
    static let installed: Result<String, Error> = Result {
        let staging = try temporaryFolder()
        let make = try run(
            "/usr/bin/make",
            ["-s", "install", "PREFIX=\(staging)/prefix", "BUILD_DIR=.build-install-test"],
            in: repositoryRoot, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        guard make.status == 0 else {
            throw InstallFailure(message: "make install failed (\(make.status)): \(make.error.suffix(2000))")
        }
        let moved = try temporaryFolder() + "/relocated"
        try FileManager.default.moveItem(atPath: staging + "/prefix", toPath: moved)
        return moved
    }

    struct InstallFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    func prefix() throws -> String { try Self.installed.get() }

    /// The installed binary, called by its bare name through PATH, as users do.
    func dream(_ arguments: [String], in folder: String? = nil) throws -> Run {
        let prefix = try prefix()
        let folder = try folder ?? temporaryFolder()
        return try Self.run(
            "/usr/bin/env", ["dream"] + arguments, in: folder,
            environment: ["PATH": "\(prefix)/bin:/usr/bin:/bin"])
    }

    @Test func installsEverythingItNeeds() throws {
        let prefix = try prefix()
        for path in [
            "bin/dream", "share/dream/models/mnist-cnn.safetensors", "share/dream/models/fashion-cnn.safetensors",
            "share/dream/presets/ghost.json",
            "share/dream/data/mnist/t10k-images-idx3-ubyte.gz", "share/dream/samples/flower.jpg",
            "share/man/man1/dream.1", "share/bash-completion/completions/dream", "share/zsh/site-functions/_dream",
            "share/fish/vendor_completions.d/dream.fish",
        ] {
            #expect(FileManager.default.fileExists(atPath: prefix + "/" + path), "missing \(path)")
        }
        let man = try String(contentsOfFile: prefix + "/share/man/man1/dream.1", encoding: .utf8)
        #expect(man.contains(".Nm dream") && man.contains("render"))
        let bash = try String(contentsOfFile: prefix + "/share/bash-completion/completions/dream", encoding: .utf8)
        #expect(bash.contains("--preset") && bash.contains("complete"))
    }

    @Test func versionNamesTheModelAndItsAccuracy() throws {
        let run = try dream(["--version"])
        #expect(run.status == 0)
        #expect(run.output.contains("share/dream/models/mnist-cnn.safetensors"), "\(run.output)")
        #expect(run.output.contains("test accuracy 99."), "\(run.output)")
    }

    @Test func rendersFromAnUnrelatedFolder() throws {
        let folder = try temporaryFolder()
        let photo = try prefix() + "/share/dream/samples/flower.jpg"
        let run = try dream(["--preset", "ghost", photo, "-o", "dream.png"], in: folder)
        #expect(run.status == 0, "\(run.error)")
        #expect(FileManager.default.fileExists(atPath: folder + "/dream.png"))
    }

    @Test func presetsAreListedAndRoundTrip() throws {
        let folder = try temporaryFolder()
        let list = try dream(["presets"], in: folder)
        #expect(list.status == 0, "\(list.error)")
        #expect(list.output.contains("ghost") && list.output.contains("tiles"))
        let shown = try dream(["presets", "show", "tiles"], in: folder)
        #expect(shown.status == 0)
        try shown.output.write(toFile: folder + "/my.json", atomically: true, encoding: .utf8)
        let again = try dream(["presets", "show", "./my.json"], in: folder)
        #expect(again.status == 0, "\(again.error)")
        #expect(again.output == shown.output, "a saved preset must load to identical settings")
    }

    @Test func evaluateSheetAndBatchFindTheirData() throws {
        let folder = try temporaryFolder()
        let evaluate = try dream(["evaluate"], in: folder)
        #expect(evaluate.status == 0, "\(evaluate.error)")
        #expect(evaluate.output.contains("test accuracy: 99."), "\(evaluate.output)")
        let sheet = try dream(["sheet", "--layer", "dense2", "-o", "sheet.png"], in: folder)
        #expect(sheet.status == 0, "\(sheet.error)")
        #expect(FileManager.default.fileExists(atPath: folder + "/sheet.png"))
        let samples = try prefix() + "/share/dream/samples"
        let batch = try dream(["batch", samples + "/flower.jpg", "--preset", "ghost", "--out", "renders"], in: folder)
        #expect(batch.status == 0, "\(batch.error)")
        #expect(FileManager.default.fileExists(atPath: folder + "/renders/manifest.json"))
    }

    @Test func trainsAndBenchesWithDefaultPaths() throws {
        let folder = try temporaryFolder()
        let train = try dream(["train", "--epochs", "1", "-o", "m.safetensors"], in: folder)
        #expect(train.status == 0, "\(train.error)")
        #expect(FileManager.default.fileExists(atPath: folder + "/m.safetensors"))
        let bench = try dream(["bench", "--seconds", "0.05", "--json"], in: folder)
        #expect(bench.status == 0, "\(bench.error)")
        #expect(bench.output.contains("\"figures\""))
    }

    @Test func notFoundListsThePlacesLooked() throws {
        // A copy of the binary alone, with nothing beside it: every lookup fails and says where it looked.
        let lonely = try temporaryFolder()
        try FileManager.default.copyItem(atPath: try prefix() + "/bin/dream", toPath: lonely + "/dream")
        let folder = try temporaryFolder()
        let run = try Self.run(lonely + "/dream", ["--preset", "ghost", "x.png"], in: folder)
        #expect(run.status == 1)
        #expect(run.error.contains("looked in"), "\(run.error)")
        #expect(run.error.contains(folder), "the working folder is among the places: \(run.error)")
        let presets = try Self.run(lonely + "/dream", ["presets"], in: folder)
        #expect(presets.status != 0, "no presets anywhere must not exit 0")
        #expect(presets.error.contains("no presets found"), "\(presets.error)")
        let home = try Self.run(
            lonely + "/dream", ["--version"], in: folder, environment: ["DREAM_HOME": try prefix() + "/share/dream"])
        #expect(home.output.contains("test accuracy"), "DREAM_HOME is honoured: \(home.output)")
    }
}
