import Dreaming
import Foundation
import Imaging
import TestSupport
import Testing

@testable import Batch

enum WorkerCountPresets {
    static let library = PresetLibrary(directories: [repositoryRoot + "/presets"])
}

/// A batch writes the same bytes whatever the jobs and cores: each render's work is cut
/// the same way on any worker count.
@Suite struct BatchJobsTests {
    /// `batch --jobs 1` and `--jobs 2` write the same files (each render gets 4 workers,
    /// then 1).
    @Test func batchJobsDoNotChangeTheBytes() throws {
        let root = try temporaryFolder()
        try syntheticPhoto(width: 100, height: 80).write(to: root + "/a.png")
        try syntheticPhoto(width: 90, height: 90, channels: 1).write(to: root + "/b.png")
        let names = ["tiles", "strokes", "mixed"]
        let plan = try BatchPlan(
            images: try BatchPlan.images(in: [root + "/a.png", root + "/b.png"], recursive: false),
            presets: names.map { name in
                Result { () throws(DreamError) in
                    var preset = try WorkerCountPresets.library.load(name)
                    preset.settings.steps = 2
                    return preset
                }
            }, presetNames: names)
        var outputs: [[String: Data]] = []
        for (jobs, cores) in [(1, 4), (2, 2)] {
            var options = BatchRenderer.Options(folder: root + "/out\(jobs)")
            options.jobs = jobs
            options.cores = cores
            let report = try BatchRenderer { try bundledModel() }.run(plan, options: options)
            #expect(report.rendered.count == 6 && report.failedCount == 0)
            var files: [String: Data] = [:]
            for job in report.rendered {
                files[job.output] = try Data(
                    contentsOf: URL(fileURLWithPath: options.folder + "/" + job.output))
            }
            outputs.append(files)
        }
        #expect(outputs[0].count == 6)
        let same = outputs[0] == outputs[1]
        #expect(same)
    }
}
