import Dreaming
import Foundation
import Imaging
import TestSupport
import Testing

@testable import Batch

/// `dream batch` and `dream` with several photos through the real binary: what a user
/// sees (exit codes, one-line errors, summaries) and what lands in the output folder.
@Suite struct BatchCommandLineTests {
    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    func start(_ arguments: [String], output: Pipe? = nil, error: Pipe? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try dreamBinary())
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: repositoryRoot)
        process.standardOutput = output ?? FileHandle.nullDevice
        process.standardError = error ?? FileHandle.nullDevice
        try process.run()
        return process
    }

    func dream(_ arguments: [String]) throws -> Run {
        let out = Pipe(), err = Pipe()
        let process = try start(arguments, output: out, error: err)
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            error: String(decoding: error, as: UTF8.self))
    }

    /// Photos at the given paths under `root`, and a quick preset folder.
    func fixture(_ names: [String]) throws -> (root: String, presets: String) {
        let root = try temporaryFolder()
        for (i, name) in names.enumerated() {
            let path = root + "/" + name
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try syntheticPhoto(width: 40 + 4 * i, height: 36).write(to: path)
        }
        try FileManager.default.createDirectory(atPath: root + "/presets", withIntermediateDirectories: true)
        try #"{"description": "quick", "mode": "downscale", "steps": 2, "loops": 1}"#
            .write(toFile: root + "/presets/quick.json", atomically: true, encoding: .utf8)
        return (root, root + "/presets")
    }

    func files(_ folder: String, ending suffix: String = ".png") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(suffix) }.sorted()
    }

    @Test func inputsWithOneNameWriteDistinctOutputs() throws {
        let f = try fixture(["a/x.png", "a/x.jpg", "b/x.jpg", "a/y.png"])
        let plain = try dream([
            "--steps", "1", "--octaves", "1", f.root + "/a/x.png", f.root + "/a/x.jpg", f.root + "/b/x.jpg",
            f.root + "/a/y.png", "-o", f.root + "/plain/",
        ])
        #expect(plain.status == 0, "\(plain.error)")
        #expect(
            try files(f.root + "/plain") == [
                "a_x.jpg-ghost-m56.png", "b_x.jpg-ghost-m56.png", "x.png-ghost-m56.png", "y-ghost-m56.png",
            ])
        let batch = try dream(["batch", f.root + "/a", f.root + "/b", "--presets", f.presets, "--out", f.root + "/out"])
        #expect(batch.status == 0, "\(batch.error)")
        #expect(batch.output.contains("rendered 4, skipped 0, failed 0"))
        #expect(
            try files(f.root + "/out") == ["a_x.jpg-quick.png", "b_x.jpg-quick.png", "x.png-quick.png", "y-quick.png"])
        let again = try dream(["batch", f.root + "/a", f.root + "/b", "--presets", f.presets, "--out", f.root + "/out"])
        #expect(again.output.contains("rendered 0, skipped 4, failed 0"))
    }

    @Test func photosThatCannotBeToldApartStopTheRunBeforeItRenders() throws {
        let f = try fixture(["Shot.png", "shot.png"])
        let run = try dream(["batch", f.root, "--presets", f.presets, "--out", f.root + "/out"])
        #expect(run.status == 1)
        #expect(
            run.error
                == "Error: \(f.root)/Shot.png and \(f.root)/shot.png would both write Shot-PRESET.png; rename one of them or render them into different folders\n"
        )
        #expect(!FileManager.default.fileExists(atPath: f.root + "/out"), "nothing was made")
    }

    @Test func twoBatchesOnOneFolderAtOnceBothFinishAndBothAreRecorded() throws {
        let f = try fixture(["one/a.png", "one/b.png", "one/c.png", "two/d.png", "two/e.png", "two/f.png"])
        let out = f.root + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        // A write in flight by another live process (this one): no batch may remove it.
        let inFlight = ".z-quick.png.partial-\(getpid())-1"
        try Data([1]).write(to: URL(fileURLWithPath: out + "/" + inFlight))
        let batches = try ["one", "two"].map {
            try start(["batch", f.root + "/" + $0, "--presets", f.presets, "--out", out, "--jobs", "1"])
        }
        for batch in batches { batch.waitUntilExit() }
        #expect(batches.map(\.terminationStatus) == [0, 0])
        let expected = ["a", "b", "c", "d", "e", "f"].map { "\($0)-quick.png" }
        #expect(try files(out) == expected)
        let manifest = try #require(try BatchManifest.read(out + "/manifest.json"))
        #expect(manifest.renders.map(\.output) == expected, "neither run dropped the other's records")
        let gallery = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(expected.allSatisfy { gallery.contains("href=\"\($0)\"") })
        #expect(FileManager.default.fileExists(atPath: out + "/" + inFlight))
    }

    @Test func jsonSummaryIsTheLibrarysReport() throws {
        let f = try fixture(["a.png", "b.png"])
        try Data("junk".utf8).write(to: URL(fileURLWithPath: f.root + "/c.png"))
        let run = try dream(["batch", f.root, "--presets", f.presets, "--out", f.root + "/out", "--json"])
        #expect(run.status == 1)
        let report = try JSONDecoder().decode(BatchReport.self, from: Data(run.output.utf8))
        #expect(report.rendered.map(\.output) == ["a-quick.png", "b-quick.png"])
        #expect(report.failed.map(\.error) == ["\(f.root)/c.png: not a PNG or JPEG image"])
        #expect(report.manifest == f.root + "/out/manifest.json")
        #expect(run.error == "error: \(f.root)/c.png: not a PNG or JPEG image [preset quick]\n")
    }

    /// A folder on a file system with `bytes` free: a tmpfs mounted for the test when the
    /// tests run as root, else nil.
    func tinyFileSystem(freeBytes: Int) throws -> (path: String, unmount: () -> Void)? {
        guard geteuid() == 0 else { return nil }
        let path = try temporaryFolder()
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=256k", "tmpfs", path]
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { return nil }
        let unmount = {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [path]
            try? umount.run()
            umount.waitUntilExit()
        }
        try fill(path, leaving: freeBytes, name: "filler")
        return (path, unmount)
    }

    /// Takes all but `bytes` of the free space of `path`'s file system.
    func fill(_ path: String, leaving bytes: Int, name: String) throws {
        var stats = statvfs()
        statvfs(path, &stats)
        let free = Int(stats.f_bavail) * Int(stats.f_frsize)
        try Data(count: max(0, free - bytes)).write(to: URL(fileURLWithPath: path + "/" + name))
    }

    /// Checks the summary's counts and failure lines; returns how many rendered.
    func expectSummary(_ run: Run, total: Int, photos: String, out: String) throws -> Int {
        let summary = try #require(
            run.output.split(separator: "\n").first { $0.hasPrefix("rendered ") }, "a summary: \(run.output)")
        let counts = summary.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }
        try #require(counts.count >= 3, "\(summary)")
        #expect(
            counts[0] + counts[1] + counts[2] == 4 && counts[0] + counts[2] == total && counts[2] >= 1, "\(summary)")
        let failures = run.output.split(separator: "\n").filter { $0.hasPrefix("  failed: ") }
        #expect(failures.count == counts[2])
        for failure in failures {
            #expect(
                ["a", "b", "c", "d"].contains {
                    failure.hasPrefix("  failed: \(photos)/\($0).png: \(out)/\($0)-quick.png: cannot write the file (")
                }, "\(failure)")
        }
        return counts[0]
    }

    @Test func fullDiskStillGivesASummaryWithEveryFailure() throws {
        let f = try fixture(["a.png", "b.png", "c.png", "d.png"])
        var out = f.root + "/out"
        var mounted: (path: String, unmount: () -> Void)?
        if let tiny = try tinyFileSystem(freeBytes: 12_288) {
            mounted = tiny
            out = tiny.path + "/out"
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } else {
            // Not root (or no tmpfs): a folder nobody may write to fails every write the same way.
            try #require(geteuid() != 0, "running as root, but a tmpfs could not be mounted for the full disk")
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: out + "/.dream-batch.lock", contents: nil)
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: out)
        }
        defer { mounted?.unmount() }
        // Room for a render or two, then none; then none at all, not even for the manifest.
        let run = try dream(["batch", f.root, "--presets", f.presets, "--out", out, "--jobs", "1"])
        #expect(run.status == 1)
        let rendered = try expectSummary(run, total: 4, photos: f.root, out: out)
        if let mounted { try fill(mounted.path, leaving: 0, name: "rest") }
        let full = try dream(["batch", f.root, "--presets", f.presets, "--out", out, "--jobs", "1"])
        #expect(full.status == 1)
        #expect(try expectSummary(full, total: 4 - rendered, photos: f.root, out: out) == 0)
        #expect(full.output.contains("  not recorded: \(out)/manifest.json: cannot write the file ("))
        #expect(try !FileManager.default.contentsOfDirectory(atPath: out).contains { $0.contains("partial") })
        if let manifest = try BatchManifest.read(out + "/manifest.json") {
            #expect(manifest.renders.allSatisfy { FileManager.default.fileExists(atPath: out + "/" + $0.output) })
        }
    }

    @Test func everyErrorOfAMultiPhotoRunStartsWithThePhoto() throws {
        let f = try fixture(["a.png", "b.png"])
        try Data("junk".utf8).write(to: URL(fileURLWithPath: f.root + "/c.png"))
        let shrink = ["--mode", "tiles", "--octaves", "8", "--octave-scale", "2"]
        let plain = try dream(
            shrink + [f.root + "/a.png", f.root + "/b.png", f.root + "/c.png", "-o", f.root + "/plain"])
        #expect(plain.status == 1)
        let lines = plain.error.split(separator: "\n")
        #expect(lines.count == 3, "\(plain.error)")
        for (line, photo) in zip(lines, ["a", "b"]) {
            #expect(line.hasPrefix("error: \(f.root)/\(photo).png: octave 1: image has shrunk to "), "\(line)")
        }
        #expect(lines.last == "error: \(f.root)/c.png: not a PNG or JPEG image")

        try #"{"mode": "tiles", "octaves": 8, "octaveScale": 2, "steps": 1}"#
            .write(toFile: f.presets + "/shrink.json", atomically: true, encoding: .utf8)
        let batch = try dream(["batch", f.root, "--presets", f.presets, "--preset", "shrink", "--out", f.root + "/out"])
        #expect(batch.status == 1)
        let failures = batch.output.split(separator: "\n").filter { $0.hasPrefix("  failed: ") }
        #expect(failures.count == 3)
        for (failure, photo) in zip(failures, ["a", "b"]) {
            #expect(failure.hasPrefix("  failed: \(f.root)/\(photo).png: octave 1: image has shrunk to "), "\(failure)")
        }
        #expect(batch.error.split(separator: "\n").allSatisfy { $0.hasPrefix("error: \(f.root)/") }, "\(batch.error)")
    }

    @Test func fromSaysWhenLibpngDroppedTheSettings() throws {
        let f = try fixture(["a.png"])
        let render = f.root + "/render.png"
        let first = try dream(["--steps", "1", "--octaves", "1", f.root + "/a.png", "-o", render])
        #expect(first.status == 0, "\(first.error)")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: render)))
        let tag = Array("tEXt\(FileRenderer.settingsKey)".utf8)
        let start = try #require((0...(bytes.count - tag.count)).first { Array(bytes[$0..<($0 + tag.count)]) == tag })
        let length = bytes[(start - 4)..<start].reduce(0) { $0 << 8 | Int($1) }
        bytes[start + 4 + length] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: render))
        let run = try dream(["--from", render, f.root + "/a.png", "-o", f.root + "/again.png"])
        #expect(run.status == 1)
        #expect(run.error.contains("\(render): libpng dropped a text chunk (tEXt: CRC error)"), "\(run.error)")
        let plain = try dream(["--from", f.root + "/a.png", f.root + "/a.png", "-o", f.root + "/again.png"])
        #expect(plain.error.contains("\(f.root)/a.png: key 'dream:settings': the PNG holds no dream settings"))
    }

    @Test func oneImageNameForSeveralPhotosIsRefusedBeforeAnyWork() throws {
        let f = try fixture(["a.png", "b.png"])
        let started = Date()
        let run = try dream([f.root + "/a.png", f.root + "/b.png", "-o", f.root + "/single.png"])
        #expect(run.status != 0)
        #expect(
            run.error.contains(
                "-o \(f.root)/single.png names one image, but 2 photos are given; give a folder (-o out/) or one photo"),
            "\(run.error)")
        #expect(!FileManager.default.fileExists(atPath: f.root + "/single.png"), "no folder named single.png")
        #expect(Date().timeIntervalSince(started) < 5, "refused before loading the model or rendering")
        // One photo named twice is one photo: -o names its file.
        let once = try dream(["--steps", "1", f.root + "/a.png", f.root + "/./a.png", "-o", f.root + "/single.png"])
        #expect(once.status == 0, "\(once.error)")
        #expect((try? Image(contentsOf: f.root + "/single.png")) != nil)
        // A name without an image extension is a folder for several photos, as before.
        let folder = try dream(["--steps", "1", f.root + "/a.png", f.root + "/b.png", "-o", f.root + "/several"])
        #expect(folder.status == 0, "\(folder.error)")
        #expect(try files(f.root + "/several") == ["a-ghost-m56.png", "b-ghost-m56.png"])
    }
}
