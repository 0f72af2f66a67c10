import Dreaming
import FileSupport
import Foundation
import Imaging
import NeuralNet
import Pictures
import Resampling

/// The project's speed figures, measured in-process on this machine. Release builds only
/// give meaningful numbers.
public struct Benchmark {
    public struct Figure: Codable, Sendable {
        public var name: String
        public var value: Double
        public var unit: String
        /// The bar to clear, from the issue (peers: Keras/TF and PyTorch on the same machine).
        public var target: String?
        public var detail: String?

        public init(name: String, value: Double, unit: String, target: String? = nil, detail: String? = nil) {
            self.name = name
            self.value = value
            self.unit = unit
            self.target = target
            self.detail = detail
        }
    }

    public let model: Sequential
    public var seconds: Double
    public var progress: (String) -> Void

    public init(model: Sequential, secondsPerFigure: Double = 3, progress: @escaping (String) -> Void = { _ in }) {
        self.model = model
        self.seconds = secondsPerFigure
        self.progress = progress
    }

    /// Runs `body` repeatedly for about `seconds` (after one warm-up) and returns calls per second.
    func rate(_ body: () throws -> Void) rethrows -> Double {
        try body()
        var calls = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            try body()
            calls += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        return Double(calls) / elapsed
    }

    public func machineFigures() -> [Figure] {
        progress("sgemm 1024")
        // The network itself runs single-threaded BLAS per core (DataParallel); these two
        // figures say what one core and all cores can do at best.
        let threads = Parallelism.cores
        BLAS.setThreads(1)
        let one = BLAS.sgemmGFLOPS()
        BLAS.setThreads(threads)
        let all = BLAS.sgemmGFLOPS()
        BLAS.setThreads(1)
        return [
            Figure(name: "sgemm 1024x1024, 1 thread", value: one, unit: "GFLOP/s", detail: "OpenBLAS"),
            Figure(
                name: "sgemm 1024x1024, \(threads) threads", value: all, unit: "GFLOP/s",
                detail: "all \(threads) cores: the attainable peak the network figures compare with"),
        ]
    }

    public func networkFigures(data: MNISTDataset?) throws -> [Figure] {
        var figures: [Figure] = []
        var generator = SeededGenerator(seed: 7)
        let batch = 128
        let values = batch * 20 * model.inputShape.count
        let images =
            data.map { Array($0.images.prefix(values)) }
            ?? (0..<values).map { _ in Float.random(in: 0...1, using: &generator) }
        let labels = data.map { Array($0.labels.prefix(batch * 20)) } ?? (0..<(batch * 20)).map { UInt8($0 % 10) }
        let sample = MNISTDataset(images: images, labels: labels)

        progress("training")
        // A copy, so the benchmark's updates never touch the caller's model.
        let trainee = try ModelFile.decode(ModelFile.encode(model, training: nil), path: "<benchmark>").model
        var settings = Trainer.Settings()
        settings.batchSize = batch
        settings.learningRate = 1e-4
        let trainer = Trainer(model: trainee, settings: settings)
        let epochsPerSecond = rate { _ = trainer.trainEpoch(0, on: sample, progress: { _ in }, shouldStop: { false }) }
        let trainRate = epochsPerSecond * Double(sample.count)
        figures.append(
            Figure(
                name: "training, batch 128", value: trainRate, unit: "images/s",
                target: ">= 5,600 (Keras 2,900; PyTorch 3,750)",
                detail: String(format: "%.1f GFLOP/s", trainRate * model.trainingFLOPs() / 1e9)))

        progress("inference")
        let inferenceRate = rate { _ = Evaluation(model: model, data: sample) } * Double(sample.count)
        figures.append(
            Figure(
                name: "inference (evaluate), \(sample.count) images", value: inferenceRate, unit: "images/s",
                detail: String(format: "%.1f GFLOP/s", inferenceRate * model.forwardFLOPs().reduce(0, +) / 1e9)))

        var settingsMap = DreamSettings()
        settingsMap.layer = "conv3"
        settingsMap.maps = [56]
        let evaluator = ObjectiveGradient(
            model: model, objective: try DreamObjective(settings: settingsMap, model: model))
        let shape = model.inputShape
        let gradientFLOPs = 2 * model.forwardFLOPs()[0...4].reduce(0, +) - model.forwardFLOPs()[0]
        progress("input gradient, one image")
        let single = try images.withUnsafeBufferPointer { x in
            try rate { _ = try evaluator.evaluate(x.baseAddress!, batch: 1, shape: shape) }
        }
        figures.append(
            Figure(
                name: "input gradient, one \(shape.width)x\(shape.height) image (conv3 map)", value: single,
                unit: "steps/s",
                target: ">= 3,000 (Keras 1,475; PyTorch 1,300)",
                detail: String(
                    format: "%.0f GFLOP/s as direct convolution; Winograd does less", single * gradientFLOPs / 1e9)))
        progress("input gradient, 400 tiles")
        let tiles = try images.withUnsafeBufferPointer { x in
            try rate { _ = try evaluator.evaluate(x.baseAddress!, batch: 400, shape: shape) } * 400
        }
        figures.append(
            Figure(
                name: "input gradient, 400 tiles (conv3 map)", value: tiles, unit: "tile-steps/s",
                target: ">= 9,000 (Keras 2,900; PyTorch 2,650)",
                detail: String(
                    format: "%.0f GFLOP/s as direct convolution; Winograd does less", tiles * gradientFLOPs / 1e9)))
        return figures
    }

    /// In-process render times (decode, render, encode; no process start-up).
    public func renderFigures(photo: String, presets: PresetLibrary) throws -> [Figure] {
        var figures: [Figure] = []
        let renderer = FileRenderer(model: model)
        let temporary = try TemporaryFolder(prefix: "dream-bench")
        defer { temporary.remove() }
        let folder = temporary.path

        progress("ghost render")
        let ghost = try presets.load("ghost").settings
        let ghostRate = try rate {
            _ = try renderer.render(.init(input: photo, output: folder + "/ghost.png", settings: ghost))
        }
        figures.append(
            Figure(
                name: "ghost on \(URL(fileURLWithPath: photo).lastPathComponent), in-process", value: 1 / ghostRate,
                unit: "s",
                target: "<= 0.25 s for the whole process", detail: "decode + 4 loops + PNG encode"))

        progress("tiles render 560x560")
        let square = try Self.writeSquare(of: photo, into: folder)
        var tiles = try presets.load("tiles").settings
        tiles.octaves = 3
        tiles.steps = 20
        let tileRate = try rate {
            _ = try renderer.render(
                .init(input: square, output: folder + "/tiles.png", settings: tiles))
        }
        figures.append(
            Figure(
                name: "tiles preset, 560x560, 3 octaves x 20 steps", value: 1 / tileRate, unit: "s",
                target: "<= 1.0 s (Keras 4.0 s warm)",
                detail: "octave scale \(tiles.octaveScale), overlap \(tiles.tileOverlap)"))
        return figures
    }

    /// OIP contact sheets: reference responses over the test set plus all maps' ascent.
    public func sheetFigures(data: MNISTDataset) throws -> [Figure] {
        var figures: [Figure] = []
        let targets = ["conv1": "<= 5 s", "conv2": "<= 5 s", "conv3": "<= 10 s"]
        for layer in ["conv1", "conv2", "conv3"] {
            progress("\(layer) sheet")
            let start = DispatchTime.now().uptimeNanoseconds
            let sheet = try LayerSheet.make(
                model: model, layer: layer, maps: nil, reference: data, settings: OIPSearch.Settings(),
                sheet: ContactSheet())
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            figures.append(
                Figure(
                    name: "\(layer) OIP sheet, \(sheet.manifest.total) maps", value: seconds, unit: "s",
                    target: targets[layer],
                    detail: "\(sheet.manifest.succeeded)/\(sheet.manifest.total) above test mean"))
        }
        return figures
    }

    /// The photo resized to the issue's 560x560 tiles case, written as square.png in `folder`.
    public static func writeSquare(of photo: String, into folder: String) throws -> String {
        let path = folder + "/square.png"
        try Image(contentsOf: photo).resized(width: 560, height: 560).write(to: path)
        return path
    }

    /// One whole-process figure: the arguments to run the binary with (the caller, which
    /// knows the command line, writes them), and how to label the result.
    public struct ProcessCase {
        public var name: String
        public var arguments: [String]
        public var target: String?
        public var detail: String?

        public init(name: String, arguments: [String], target: String? = nil, detail: String? = nil) {
            self.name = name
            self.arguments = arguments
            self.target = target
            self.detail = detail
        }
    }

    /// Wall-clock figures of whole processes of `executable` (a path to a binary; this
    /// module knows nothing of its flags): start-up, model load, decode, render, encode.
    public func processFigures(executable: String, cases: [ProcessCase], runs: Int = 7) throws -> [Figure] {
        try cases.map { item in
            progress(item.name)
            let seconds = try Self.processSeconds(executable: executable, arguments: item.arguments, runs: runs)
            return Figure(name: item.name, value: seconds, unit: "s", target: item.target, detail: item.detail)
        }
    }

    /// Wall time of whole `dream` processes, start-up included (median of `runs`).
    /// posix_spawn and waitpid rather than Foundation's Process, whose start-up and exit
    /// notification added 40 ms to a 60 ms process here (a shell's `time` agrees with this).
    public static func processSeconds(executable: String, arguments: [String], runs: Int = 7) throws -> Double {
        var times: [Double] = []
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        for _ in 0..<runs {
            var pid: pid_t = 0
            var status: Int32 = 0
            let start = DispatchTime.now().uptimeNanoseconds
            let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
            let waited = spawned == 0 ? waitpid(pid, &status, 0) : -1
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            // Exited normally with status 0 (WIFEXITED and WEXITSTATUS, spelled out).
            guard waited == pid, status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
                throw DreamError.invalidSetting(
                    key: "bench", problem: "\(executable) \(arguments.joined(separator: " ")) failed")
            }
        }
        return times.sorted()[times.count / 2]
    }
}
