import ArgumentParser
import Benchmark
import Dreaming
import FileSupport
import Foundation
import NeuralNet

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training, gradient and render speed on this machine (use a release build).")

    @Option(help: "Seconds to spend on each figure.") var seconds: Double = 3
    @Option(help: "Photo for the render figures (default: the bundled samples/flower.jpg).") var photo: String?
    @Flag(help: "Print JSON for machines.") var json = false
    @OptionGroup var modelOptions: ModelOptions

    func run() throws {
        #if DEBUG
            FileHandle.standardError.write(
                Data("warning: this is a debug build; run 'swift build -c release' for real figures\n".utf8))
        #endif
        let model = try modelOptions.load()
        let line = ProgressLine(interval: 1000)
        line.quiet = json
        let bench = Benchmark(model: model, secondsPerFigure: seconds) {
            line.update("measuring \($0)...", force: true)
        }
        let data = try? MNISTDataset(directory: try DigitInput.defaultDataDirectory(), split: .train)
        var figures = bench.machineFigures()
        figures += try bench.networkFigures(data: data)
        let photo = try self.photo ?? BundledAssets.sample("flower.jpg")
        figures += try bench.renderFigures(photo: photo, presets: PresetLibrary())
        if let test = try? MNISTDataset(directory: try DigitInput.defaultDataDirectory(), split: .test) {
            figures += try bench.sheetFigures(data: test)
        }
        figures += try processFigures(bench, photo: photo)
        line.finish()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let report = Report(
                cores: ProcessInfo.processInfo.activeProcessorCount, blasThreads: BLAS.threads, figures: figures)
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, OpenBLAS \(BLAS.threads) threads")
        for figure in figures {
            let value =
                figure.value >= 100 ? String(format: "%.0f", figure.value) : String(format: "%.3g", figure.value)
            var text = "\(figure.name.padding(toLength: 56, withPad: " ", startingAt: 0)) \(value) \(figure.unit)"
            if let detail = figure.detail { text += "  (\(detail))" }
            if let target = figure.target { text += "  target \(target)" }
            print(text)
        }
    }

    /// The issue's wall-clock figures: this very binary rendering whole, median of 7 runs.
    func processFigures(_ bench: Benchmark, photo: String) throws -> [Benchmark.Figure] {
        // The real executable: argv[0] is a bare "dream" when run from PATH.
        let executable =
            BundledAssets.executablePath()
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let folder = try TemporaryFolder(prefix: "dream-bench-process")
        defer { folder.remove() }
        let name = URL(fileURLWithPath: photo).lastPathComponent
        let square = try Benchmark.writeSquare(of: photo, into: folder.path)
        return try bench.processFigures(
            executable: executable,
            cases: [
                .init(
                    name: "dream --preset ghost --map 56 \(name), whole process",
                    arguments: ["--preset", "ghost", "--map", "56", photo, "-o", folder.file("g.png"), "-q"],
                    target: "<= 0.25 s", detail: "median of 7 runs"),
                .init(
                    name: "dream --preset tiles, 560x560, whole process",
                    arguments: [
                        "--preset", "tiles", "--octaves", "3", "--steps", "20", square, "-o", folder.file("t.png"),
                        "-q",
                    ],
                    target: "<= 1.0 s (Keras 4.0 s warm)", detail: "3 octaves x 20 steps, median of 7 runs"),
            ])
    }

    struct Report: Encodable {
        var cores: Int
        var blasThreads: Int
        var figures: [Benchmark.Figure]
    }
}
