import ArgumentParser
import Benchmark
import Dreaming
import FileSupport
import Foundation
import Imaging
import NeuralNet

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training, inference, gradient and render speed on this machine (use a release build).",
        discussion: """
            The training figure is a whole `dream train` epoch (shuffling, batches, learning-rate \
            schedule, test evaluation, checkpoint write) on the MNIST files; inference is `dream \
            evaluate`'s forward passes over the test images. Without MNIST files both run on random \
            data of the same shape, and the render figures use a picture made in memory unless \
            --photo names one.
            """)

    enum Group: String, CaseIterable, ExpressibleByArgument {
        case machine, train, inference, gradient, render, sheets, process
    }

    @Option(help: "Seconds to spend on each figure (the training epoch runs at least once).") var seconds: Double = 3
    @Option(help: "Photo for the render figures (default: a 640x427 picture made in memory).") var photo: String?
    @Option(
        help: ArgumentHelp(
            "Only these figure groups, comma-separated: \(Group.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "groups"))
    var only: String?
    @Flag(help: "Print JSON for machines.") var json = false
    @Flag(
        help:
            "Instead of the figures: render ghost, tiles, conv and mixed on the photo (default flower.jpg) upscaled to each --sizes, one process each; wall time, CPU time and peak RSS as a Markdown table (JSON with --json)."
    )
    var scale = false
    @Option(help: ArgumentHelp("Megapixels for --scale, comma-separated.", valueName: "list")) var sizes = "1,12,24,48"
    @Option(help: ArgumentHelp("With --scale, also write the JSON report here.", valueName: "path")) var scaleJSON:
        String?
    @Option(help: .hidden) var copyPhoto: String?
    @Option(help: .hidden) var copyTo: String?
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        try checkRange("--seconds", seconds, SettingsRanges.benchSeconds)
        _ = try groups()
        _ = try megapixels()
    }

    func megapixels() throws -> [Double] {
        let values = sizes.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0.map { (0.01...100).contains($0) } ?? false }) else {
            throw ValidationError(
                "--sizes: expected megapixels in 0.01...100, comma-separated (e.g. 1,12,24,48), not '\(sizes)'")
        }
        return values.compactMap { $0 }
    }

    func groups() throws -> Set<Group> {
        guard let only else { return Set(Group.allCases) }
        var chosen = Set<Group>()
        for name in only.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let group = Group(rawValue: name) else {
                throw ValidationError(
                    "--only: unknown group '\(name)'; use \(Group.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            chosen.insert(group)
        }
        return chosen
    }

    func run() throws {
        try threadOptions.apply()
        #if DEBUG
            FileHandle.standardError.write(
                Data("warning: this is a debug build; run 'swift build -c release' for real figures\n".utf8))
        #endif
        if let copyPhoto, let copyTo { return try copy(copyPhoto, to: copyTo) }
        if scale { return try runScale() }
        let groups = try groups()
        let model = try modelOptions.load(for: .mnistClassifier("bench"))
        let line = ProgressLine(interval: 1000)
        line.quiet = json
        let bench = Benchmark(model: model, secondsPerFigure: seconds) {
            line.update("measuring \($0)...", force: true)
        }
        let directory = try? DigitInput.defaultDataDirectory()
        let train = directory.flatMap { try? MNISTDataset(directory: $0, split: .train) }
        let test = directory.flatMap { try? MNISTDataset(directory: $0, split: .test) }
        let source =
            train != nil && test != nil ? "MNIST from \(directory ?? "")" : "random data (no MNIST files found)"
        var figures: [Benchmark.Figure] = []
        if groups.contains(.machine) { figures += bench.machineFigures() }
        if groups.contains(.train) {
            figures += try bench.trainingFigures(
                train: train ?? Benchmark.syntheticDigits(count: 60_000, seed: 1),
                test: test ?? Benchmark.syntheticDigits(count: 10_000, seed: 2), source: source)
        }
        if groups.contains(.inference) {
            figures += try bench.inferenceFigures(
                test: test ?? Benchmark.syntheticDigits(count: 10_000, seed: 2), source: source)
        }
        if groups.contains(.gradient) {
            figures += try bench.gradientFigures(images: test ?? Benchmark.syntheticDigits(count: 400, seed: 3))
        }
        if !groups.isDisjoint(with: [.render, .process]) {
            let picture = try photo ?? Benchmark.writeSyntheticPhoto()
            defer {
                if photo == nil {
                    try? FileManager.default.removeItem(atPath: (picture as NSString).deletingLastPathComponent)
                }
            }
            if groups.contains(.render) { figures += try bench.renderFigures(photo: picture, presets: PresetLibrary()) }
            if groups.contains(.process) { figures += try processFigures(bench, photo: picture) }
        }
        if groups.contains(.sheets), let test { figures += try bench.sheetFigures(data: test) }
        line.finish()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let report = Report(
                cores: ProcessInfo.processInfo.activeProcessorCount, workers: Parallelism.current.workers,
                workersReason: Parallelism.current.reason, blasThreads: BLAS.threads, figures: figures)
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print(
            "machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(Parallelism.current.workers) workers (\(Parallelism.current.reason)), OpenBLAS \(BLAS.threads) threads"
        )
        for figure in figures {
            let value =
                figure.value >= 100 ? String(format: "%.0f", figure.value) : String(format: "%.3g", figure.value)
            var text = "\(figure.name.padding(toLength: 56, withPad: " ", startingAt: 0)) \(value) \(figure.unit)"
            if let detail = figure.detail { text += "  (\(detail))" }
            if let target = figure.target { text += "  target \(target)" }
            print(text)
        }
    }

    /// `--scale`: this very binary, one process per render, on photos in a temporary folder.
    func runScale() throws {
        let executable = try Self.executable()
        let picture = try photo ?? BundledAssets.sample("flower.jpg")
        let folder = try TemporaryFolder(prefix: "dream-bench-scale")
        defer { folder.remove() }
        let line = ProgressLine(interval: 1000)
        line.quiet = json
        let bench = ScaleBenchmark(
            executable: executable, megapixels: try megapixels(), workers: threadOptions.threads
        ) { line.update("measuring \($0)...", force: true) }
        let report = try bench.run(photo: picture, folder: folder.path, workersUsed: Parallelism.current.workers)
        line.finish()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(report)
        if let scaleJSON { try Files.write(Array(data), to: scaleJSON) }
        if json {
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                "\(report.photo) upscaled; \(report.cores) cores, \(report.workers) workers; load average \(String(format: "%.1f", report.loadBefore)) before, \(String(format: "%.1f", report.loadAfter)) after"
            )
            print(ScaleBenchmark.markdown(report))
        }
    }

    /// `--scale`'s floor: what a render of this photo costs besides the dream (start-up,
    /// decoding, writing the PNG), with the workers a render would use.
    func copy(_ input: String, to output: String) throws {
        let workers = Parallelism.current.workers
        let image = try ImageReader(workers: workers).read(contentsOf: input)
        try ImageWriter(workers: workers).write(image, to: output, protecting: [input])
    }

    /// The real executable: argv[0] is a bare "dream" when run from PATH.
    static func executable() throws -> String {
        BundledAssets.executablePath() ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    }

    /// The issue's wall-clock figures: this very binary rendering whole, median of 7 runs.
    func processFigures(_ bench: Benchmark, photo: String) throws -> [Benchmark.Figure] {
        let executable = try Self.executable()
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
        /// The machine's cores, and the workers this run used (what the figures are for).
        var cores: Int
        var workers: Int
        var workersReason: String
        var blasThreads: Int
        var figures: [Benchmark.Figure]
    }
}
