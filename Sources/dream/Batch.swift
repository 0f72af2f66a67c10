import ArgumentParser
import Batch
import Dreaming
import FileSupport
import Foundation
import NeuralNet

struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render folders of images with folders of presets: resumable, parallel, with a gallery.",
        discussion: """
            Every image (PNG/JPEG) is rendered with every preset into OUT/IMAGE-PRESET.png; \
            images with one name keep their extension (photo.jpg-PRESET.png), then their \
            folders (a_photo.jpg-PRESET.png), so outputs never collide. Outputs that exist with \
            the same settings are skipped (--force renders them again); writes are atomic, so an \
            interrupted run leaves no partial file and the next run picks up where it stopped. \
            OUT/manifest.json records every render's settings, seed and time as it finishes, \
            merged with earlier runs' records; OUT/index.html is a self-contained gallery with \
            the originals. Several batches may share one OUT at once.

            Spread a batch over machines with --shard K/N (each shard writes \
            manifest-shard-K-of-N.json), gather the outputs in one folder, then \
            'dream batch --merge --out OUT' rebuilds manifest.json and index.html.
            """)

    @Argument(help: "Image files or folders.") var inputs: [String] = []
    @Option(help: "Folder of preset .json files (default: ./presets and the bundled ones).") var presets: String?
    @Option(help: ArgumentHelp("Only these presets.", valueName: "a,b")) var preset: String?
    @Option(name: .customLong("out"), help: "Output folder.") var out = BatchRenderer.Options.defaultFolder
    @Option(
        help: ArgumentHelp(
            "Folder of masks: image NAME gets MASKS/NAME.png (see render --mask); images without one are dreamed whole.",
            valueName: "MASKS"))
    var masks: String?
    @Flag(help: "Look for images in subfolders too.") var recursive = false
    @Flag(help: "Render again even when a complete output exists.") var force = false
    @Option(
        help:
            "Renders at once, sharing the workers (default: one per worker; on 2 cores, 2 jobs measured 10% faster than 1)."
    )
    var jobs: Int?
    @Option(help: ArgumentHelp("Render only the K-th of N slices of the work.", valueName: "K/N")) var shard: String?
    @Flag(help: "Rebuild manifest.json and index.html in --out from the shards' outputs.") var merge = false
    @Flag(name: .shortAndLong, help: "Print only the summary and errors.") var quiet = false
    @Flag(help: "Print the summary as JSON.") var json = false
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    func parsedShard() throws -> (k: Int, n: Int)? {
        guard let shard else { return nil }
        let parts = shard.split(separator: "/").map { Int($0) }
        guard parts.count == 2, let k = parts[0], let n = parts[1], n >= 1, (1...n).contains(k) else {
            throw ValidationError("--shard takes K/N with 1 <= K <= N, like 2/4; got '\(shard)'")
        }
        return (k, n)
    }

    func validate() throws {
        if merge {
            guard inputs.isEmpty, shard == nil else { throw ValidationError("--merge takes only --out") }
            return
        }
        guard !inputs.isEmpty else {
            throw ValidationError("give image files or folders, e.g. dream batch samples/ --out renders/")
        }
        try checkRange("--jobs", jobs, SettingsRanges.jobs)
        _ = try parsedShard()
    }

    func run() throws {
        try threadOptions.apply()
        if merge {
            let manifest = try BatchRenderer.merge(folder: out)
            print(
                "merged \(manifest.renders.count) renders, \(manifest.failures.count) failures -> \(out)/manifest.json, \(out)/index.html"
            )
            return
        }
        let library = presets.map { PresetLibrary(directories: [$0]) } ?? PresetLibrary()
        let only = preset.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        var plan = try BatchPlan.make(
            inputs: inputs, recursive: recursive, library: library, presetNames: only, outputFolder: out,
            masks: masks)
        let shard = try parsedShard()
        if let shard { plan = plan.shard(shard.k, of: shard.n) }

        let modelPath = try modelOptions.path()
        let modelBytes = try ModelFile.bytes(contentsOf: modelPath)
        _ = try ModelFile.decode(modelBytes, path: modelPath)
        var options = BatchRenderer.Options(folder: out)
        options.force = force
        options.jobs = jobs ?? min(Parallelism.cores, 64)
        options.cores = Parallelism.cores
        options.shard = shard
        let line = ProgressLine(interval: 0)
        line.quiet = quiet || json
        let started = Date()
        installInterruptHandler()
        if !quiet && !json {
            for missing in Set(plan.jobs.compactMap(\.missingMask)).sorted() {
                print("note: no mask \(missing): that image is dreamed whole")
            }
        }
        for failure in plan.presetFailures {
            FileHandle.standardError.write(Data("error: preset \(failure.preset): \(failure.error)\n".utf8))
        }
        let report = try BatchRenderer { try ModelFile.decode(modelBytes, path: modelPath).model }.run(
            plan, options: options,
            progress: { event, done, total in
                let elapsed = Date().timeIntervalSince(started)
                let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : .infinity
                let head =
                    "[\(done)/\(total)] \(ProgressLine.bar(Double(done) / Double(max(total, 1)), width: 16)) ETA \(ProgressLine.duration(eta))"
                switch event {
                case .rendered(let job, let seconds):
                    line.update(
                        String(format: "%@  %@ x %@ (%.2f s)", head, job.input, job.preset, seconds), force: true)
                case .skipped(let job):
                    line.update("\(head)  \(job.outputName) exists, skipped", force: true)
                case .failed(let job, let message):
                    line.finish()
                    FileHandle.standardError.write(Data("error: \(message) [preset \(job.preset)]\n".utf8))
                }
            }, shouldStop: { interruptRequested != 0 })
        line.finish()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(
                String(
                    format: "rendered %d, skipped %d, failed %d in %.1f s -> %@", report.rendered.count,
                    report.skipped.count, report.failedCount, report.seconds, report.manifest))
            for failure in report.failed {
                print(
                    failure.input == "*"
                        ? "  failed preset \(failure.preset): \(failure.error)"
                        : "  failed: \(failure.error) [preset \(failure.preset)]")
            }
            for error in report.recordErrors { print("  not recorded: \(error)") }
            if report.interrupted { print("interrupted; run the same command again to continue") }
        }
        if report.interrupted { throw ExitCode(130) }
        if report.failedCount > 0 || !report.recordErrors.isEmpty { throw ExitCode(1) }
    }
}
