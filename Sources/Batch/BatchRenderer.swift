import Dispatch
import Dreaming
import FileSupport
import Foundation
import Imaging
import NeuralNet

/// Renders a `BatchPlan` into a folder: resumable (complete outputs are skipped), every
/// write atomic, failures reported and skipped, several renders at once.
public final class BatchRenderer {
    public struct Options: Sendable {
        public static let defaultFolder = "renders"
        public var folder: String
        /// Re-render outputs that already exist.
        public var force = false
        /// Renders running at once; each gets cores / jobs cores.
        public var jobs = 2
        /// Cores the renders share (the output bytes do not depend on it).
        public var cores = Parallelism.cores
        /// (K, N): this run is the K-th of N shards.
        public var shard: (k: Int, n: Int)?

        public init(folder: String) { self.folder = folder }
    }

    public enum Event {
        case rendered(BatchPlan.Job, seconds: Double)
        case skipped(BatchPlan.Job)
        case failed(BatchPlan.Job, String)
    }

    private let makeModel: () throws -> Sequential

    /// `makeModel` gives each concurrent render its own network (a `Sequential` keeps
    /// per-call buffers and is not shared between threads).
    public init(makeModel: @escaping () throws -> Sequential) {
        self.makeModel = makeModel
    }

    /// An output is complete when it decodes and carries exactly the settings and the mask
    /// fingerprint (none for none) asked for; anything else (missing, damaged, other
    /// settings, a changed mask) is rendered again.
    public static func isComplete(_ path: String, settings: DreamSettings, maskFingerprint: String? = nil) -> Bool {
        guard FileManager.default.fileExists(atPath: path),
            let text = try? readPNGText(at: path, key: FileRenderer.settingsKey),
            text == (try? FileRenderer.settingsJSON(settings)),
            let mask = recordedMask(path), mask == maskFingerprint
        else { return false }
        return (try? Image(contentsOf: path)) != nil
    }

    /// The mask fingerprint an output records: .some(nil) for none, nil when unreadable.
    static func recordedMask(_ path: String) -> String?? {
        do { return .some(try readPNGText(at: path, key: FileRenderer.maskKey)) } catch { return nil }
    }

    /// Renders what `plan` asks for into `options.folder`. Throws only before rendering
    /// (the folder cannot be made or locked, its manifest is not one, an output there came
    /// from another photo); after that every problem is in the report.
    public func run(
        _ plan: BatchPlan, options: Options, progress: @escaping (Event, Int, Int) -> Void = { _, _, _ in },
        shouldStop: @escaping () -> Bool = { false }
    ) throws -> BatchReport {
        let started = Date()
        let folder = options.folder
        try Files.createFolder(folder)
        let folderLock = try BatchLock(folder: folder)
        let manifestName = options.shard.map { BatchManifest.shardFileName($0.k, of: $0.n) } ?? BatchManifest.fileName
        let recorder = BatchRecorder(folder: folder, manifestName: manifestName, lock: folderLock)
        var report = BatchReport(manifest: recorder.manifestPath)
        let earlier = try folderLock.withLock {
            // Only temporaries of dead processes: another batch's write in flight stays.
            Files.removeStaleTemporaries(in: folder)
            return try BatchManifest.read(recorder.manifestPath) ?? BatchManifest(renders: [], failures: [])
        }
        try Self.refuseTakenOutputs(plan.jobs, recorded: earlier, folder: folder)
        let total = plan.jobs.count
        var pending: [BatchPlan.Job] = []
        var carried: [BatchManifest.Render] = []
        let known = Set(earlier.renders.map(\.output))
        for job in plan.jobs {
            let path = (folder as NSString).appendingPathComponent(job.outputName)
            if !options.force && Self.isComplete(path, settings: job.settings, maskFingerprint: job.maskFingerprint) {
                report.skipped.append(.init(input: job.input, preset: job.preset, output: job.outputName))
                // Skipped outputs keep the entries an earlier run recorded; others get one.
                if !known.contains(job.outputName) { carried.append(Self.record(job, seconds: 0)) }
                progress(.skipped(job), report.skipped.count, total)
            } else {
                pending.append(job)
            }
        }
        report.failed = plan.presetFailures.map { .init(input: "*", preset: $0.preset, error: $0.error) }
        recorder.record(
            renders: carried,
            failures: plan.presetFailures.map { BatchManifest.Failure(input: "*", preset: $0.preset, error: $0.error) })

        let lock = NSLock()
        var next = 0
        var done = report.skipped.count
        let workers = max(1, min(options.jobs, pending.count))
        let cores = max(1, options.cores / workers)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let renderer: FileRenderer
            do {
                renderer = FileRenderer(model: try makeModel(), workers: cores)
                // Renders at once share the memory too.
                let limit = renderer.renderer.memoryLimit
                renderer.renderer.memoryLimit = (
                    limit.bytes / workers, workers > 1 ? "\(limit.source) shared by \(workers) jobs" : limit.source
                )
            } catch {
                lock.lock()
                report.interrupted = true
                lock.unlock()
                return
            }
            while true {
                lock.lock()
                guard next < pending.count, !shouldStop() else {
                    if next < pending.count { report.interrupted = true }
                    lock.unlock()
                    return
                }
                let job = pending[next]
                next += 1
                lock.unlock()
                let output = (folder as NSString).appendingPathComponent(job.outputName)
                do {
                    var request = FileRenderer.Request(input: job.input, output: output, settings: job.settings)
                    request.mask = job.mask
                    let outcome = try renderer.render(request)
                    let seconds = (outcome.seconds * 1000).rounded() / 1000
                    recorder.record(renders: [Self.record(job, seconds: seconds)])
                    lock.lock()
                    report.rendered.append(
                        .init(input: job.input, preset: job.preset, output: job.outputName, seconds: seconds))
                    done += 1
                    progress(.rendered(job, seconds: outcome.seconds), done, total)
                    lock.unlock()
                } catch {
                    // Engine errors do not know the photo: every message starts with it.
                    let message = BatchError.forPhoto(job.input, error).errorDescription ?? "\(error)"
                    recorder.record(failures: [.init(input: job.input, preset: job.preset, error: message)])
                    lock.lock()
                    report.failed.append(
                        .init(input: job.input, preset: job.preset, output: job.outputName, error: message))
                    done += 1
                    progress(.failed(job, message), done, total)
                    lock.unlock()
                }
            }
        }
        if options.shard == nil { recorder.writeGallery() }
        // In plan order, whatever order the workers finished in.
        let order = Dictionary(uniqueKeysWithValues: plan.jobs.enumerated().map { ($1.outputName, $0) })
        report.rendered.sort { order[$0.output]! < order[$1.output]! }
        report.failed.sort { (order[$0.output ?? ""] ?? -1) < (order[$1.output ?? ""] ?? -1) }
        report.recordErrors = recorder.errors
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    static func record(_ job: BatchPlan.Job, seconds: Double) -> BatchManifest.Render {
        .init(
            input: job.input, preset: job.preset, settings: job.settings, seed: job.settings.seed, seconds: seconds,
            output: job.outputName, source: BatchManifest.source(of: job.input), mask: job.mask,
            maskFingerprint: job.maskFingerprint,
            note: job.missingMask.map { "no mask \($0): dreamed whole" })
    }

    /// Refuses jobs whose output the folder's manifest records as rendered from another
    /// photo: skipping it (same settings) or overwriting it would both lose a render.
    static func refuseTakenOutputs(_ jobs: [BatchPlan.Job], recorded: BatchManifest, folder: String) throws(BatchError)
    {
        let sources = Dictionary(
            recorded.renders.compactMap { render in render.source.map { (render.output, (render.input, $0)) } },
            uniquingKeysWith: { $1 })
        for job in jobs {
            guard let (input, source) = sources[job.outputName], source != BatchManifest.source(of: job.input),
                FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(job.outputName))
            else { continue }
            throw .outputTaken(
                output: (folder as NSString).appendingPathComponent(job.outputName), recordedInput: input,
                input: job.input)
        }
    }

    /// Rebuilds manifest.json and index.html from the shard manifests (and any
    /// manifest.json) found in `folder`, keeping renders whose files are there.
    public static func merge(folder: String) throws -> BatchManifest {
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        let manifests = entries.filter {
            $0 == BatchManifest.fileName || ($0.hasPrefix("manifest-shard-") && $0.hasSuffix(".json"))
        }
        guard !manifests.isEmpty else {
            throw DreamError.invalidSetting(
                key: "merge", problem: "\(folder) holds no manifest.json or manifest-shard-*.json to merge")
        }
        let lock = try BatchLock(folder: folder)
        return try lock.withLock {
            var merged = BatchManifest(renders: [], failures: [])
            for name in manifests {
                let path = (folder as NSString).appendingPathComponent(name)
                guard let manifest = try BatchManifest.read(path) else { continue }
                merged = merged.merged(with: manifest, folder: folder)
            }
            try merged.write(to: (folder as NSString).appendingPathComponent(BatchManifest.fileName))
            try Gallery.write(merged, folder: folder)
            return merged
        }
    }
}
