import Benchmark
import Foundation
import TestSupport
import Testing

/// `dream bench --scale` measures what a user runs: one process per preset and size, and
/// beside them the floor, the same photo only read and written.
@Suite struct ScaleBenchCommandTests {
    @Test func everyPresetAndTheFloorAtEverySize() throws {
        let folder = try temporaryFolder()
        let run = try runDream(
            ["bench", "--scale", "--sizes", "0.04", "--scale-json", folder + "/scale.json", "--threads", "1"],
            in: folder)
        #expect(run.status == 0, "\(run.error)")
        let report = try JSONDecoder().decode(
            ScaleBenchmark.Report.self, from: try Data(contentsOf: URL(fileURLWithPath: folder + "/scale.json")))
        let names = [ScaleBenchmark.floorName, "ghost", "tiles", "conv", "mixed"]
        for size in [0.04] {
            let runs = report.runs.filter { $0.megapixels == size }
            #expect(runs.map(\.preset).sorted() == names.sorted(), "\(runs.map(\.preset))")
            for run in runs {
                #expect(abs(Double(run.width * run.height) / 1e6 / size - 1) < 0.05, "\(run)")
                #expect(run.wallSeconds > 0 && run.cpuSeconds > 0 && run.peakRSSBytes > 1 << 20, "\(run)")
            }
        }
        // The table: header, rule, a row per preset with the floor last, the memory bound;
        // and nothing left in the working folder.
        let rows = run.output.split(separator: "\n").filter { $0.hasPrefix("| ") }.map(String.init)
        #expect(rows.count == 8, "\(run.output)")
        #expect(rows.dropLast().last?.hasPrefix("| read + write only |") == true, "\(rows)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["scale.json"])
    }
}
