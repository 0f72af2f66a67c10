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
        /// A stable name for scripts (tools/peers reads train_epoch, inference, gradient_*).
        public var key: String?
        public var name: String
        public var value: Double
        public var unit: String
        /// The bar to clear, from the issue (peers: Keras/TF and PyTorch on the same machine).
        public var target: String?
        public var detail: String?

        public init(
            key: String? = nil, name: String, value: Double, unit: String, target: String? = nil, detail: String? = nil
        ) {
            self.key = key
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

    /// CPU time of the whole process (all threads, user + system), in seconds: a figure
    /// that other load on the machine changes far less than wall time.
    static func processorSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    public func machineFigures() -> [Figure] {
        progress("sgemm 1024")
        // The network itself runs single-threaded BLAS per core (DataParallel); these two
        // figures say what one core and all cores can do at best.
        let threads = Parallelism.cores, previous = BLAS.threads
        BLAS.setThreads(1)
        let one = BLAS.sgemmGFLOPS()
        BLAS.setThreads(threads)
        let all = BLAS.sgemmGFLOPS()
        // Back to the count the run chose (the report names it).
        BLAS.setThreads(previous)
        return [
            Figure(name: "sgemm 1024x1024, 1 thread", value: one, unit: "GFLOP/s", detail: "OpenBLAS"),
            Figure(
                name: "sgemm 1024x1024, \(threads) threads", value: all, unit: "GFLOP/s",
                detail: "all \(threads) cores: the attainable peak the network figures compare with"),
        ]
    }

    /// `dream train --epochs 1` as users run it: `Trainer.run` over the whole training set
    /// (shuffling, batches of 128, the learning-rate schedule, evaluation on the test set,
    /// the checkpoint written atomically), timed end to end on a fresh network with the
    /// default settings; best of the epochs that fit in `seconds` (at least one).
    public func trainingFigures(train: MNISTDataset, test: MNISTDataset, source: String) throws -> [Figure] {
        let folder = NSTemporaryDirectory() + "dream-bench-train-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var settings = Trainer.Settings()
        settings.epochs = 1
        var best = Double.infinity
        var bestProcessor = Double.infinity
        var total = 0.0
        var epochs = 0
        repeat {
            progress("dream train epoch \(epochs + 1)")
            let model = Sequential.mnistCNN()
            model.initialize(seed: settings.seed)
            let trainer = try Trainer(model: model, settings: settings)
            let start = DispatchTime.now().uptimeNanoseconds
            let processorStart = Self.processorSeconds()
            _ = try trainer.run(
                train: train, test: test, datasetName: "bench", checkpointPath: folder + "/epoch.safetensors",
                progress: { _ in }, epochDone: { _ in }, shouldStop: { false })
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            bestProcessor = min(bestProcessor, Self.processorSeconds() - processorStart)
            best = min(best, seconds)
            total += seconds
            epochs += 1
        } while total < self.seconds
        let rate = Double(train.count) / best
        return [
            Figure(
                key: "train_epoch",
                name: "dream train epoch, batch \(settings.batchSize), \(train.count) images", value: rate,
                unit: "images/s", target: ">= 1.8x PyTorch (3,750-4,030 on 2 cores: >= 7,250)",
                detail: String(
                    format:
                        "dream train's own path: shuffle, batches, LR schedule, test evaluation of %d, checkpoint write; %.2f s, best of %d; %@",
                    test.count, best, epochs, source)),
            Figure(
                key: "train_epoch_cpu", name: "dream train epoch per CPU-second (all threads)",
                value: Double(train.count) / bestProcessor, unit: "images/CPU-s",
                detail: String(
                    format: "%.2f CPU-s for the epoch; steadier than wall time on a busy machine", bestProcessor)),
        ]
    }

    /// Forward passes only: `dream evaluate`'s path over the test images.
    public func inferenceFigures(test: MNISTDataset, source: String) throws -> [Figure] {
        progress("inference")
        let processorStart = Self.processorSeconds()
        var calls = 0
        let rate = try rate {
            _ = try Evaluation(model: model, data: test)
            calls += 1
        }
        let perProcessorSecond = Double(calls * test.count) / (Self.processorSeconds() - processorStart)
        return [
            Figure(
                key: "inference", name: "inference (dream evaluate), \(test.count) images",
                value: rate * Double(test.count),
                unit: "images/s", target: ">= 2x PyTorch",
                detail: String(
                    format: "forward only; %.0f GFLOP/s as direct convolution; %@",
                    rate * Double(test.count) * model.forwardFLOPs().reduce(0, +) / 1e9, source)),
            Figure(
                key: "inference_cpu", name: "inference per CPU-second (all threads)", value: perProcessorSecond,
                unit: "images/CPU-s"),
        ]
    }

    /// Input gradients of a conv3 map: the dream loop's work, for one image and for a batch of tiles.
    public func gradientFigures(images: MNISTDataset) throws -> [Figure] {
        var figures: [Figure] = []
        var settingsMap = DreamSettings()
        settingsMap.layer = "conv3"
        settingsMap.maps = [56]
        let evaluator = ObjectiveGradient(
            model: model, objective: try DreamObjective(settings: settingsMap, model: model))
        let shape = model.inputShape
        let gradientFLOPs = 2 * model.forwardFLOPs()[0...4].reduce(0, +) - model.forwardFLOPs()[0]
        let x = images.prefix(400).images
        precondition(x.count == 400 * MNISTDataset.pixels, "the gradient figures need 400 images")
        progress("input gradient, one image")
        let single = try x.withUnsafeBufferPointer { x in
            try rate { _ = try evaluator.evaluate(x.baseAddress!, batch: 1, shape: shape) }
        }
        figures.append(
            Figure(
                key: "gradient_one", name: "input gradient, one \(shape.width)x\(shape.height) image (conv3 map)",
                value: single, unit: "steps/s", target: ">= 3,000 (Keras 1,475; PyTorch 1,300)",
                detail: String(
                    format: "%.0f GFLOP/s as direct convolution; Winograd does less", single * gradientFLOPs / 1e9)))
        progress("input gradient, 400 tiles")
        let tiles = try x.withUnsafeBufferPointer { x in
            try rate { _ = try evaluator.evaluate(x.baseAddress!, batch: 400, shape: shape) } * 400
        }
        figures.append(
            Figure(
                key: "gradient_tiles", name: "input gradient, 400 tiles (conv3 map)", value: tiles,
                unit: "tile-steps/s", target: ">= 9,000 (Keras 2,900; PyTorch 2,650)",
                detail: String(
                    format: "%.0f GFLOP/s as direct convolution; Winograd does less", tiles * gradientFLOPs / 1e9)))
        return figures
    }

    /// MNIST-shaped random data (pixels in [0, 1], labels 0-9) for machines without the
    /// MNIST files: the same work, though accuracy means nothing on it.
    public static func syntheticDigits(count: Int, seed: UInt64) -> MNISTDataset {
        var generator = SeededGenerator(seed: seed)
        let images = (0..<count * MNISTDataset.pixels).map { _ in Float.random(in: 0...1, using: &generator) }
        return MNISTDataset(images: images, labels: (0..<count).map { UInt8($0 % 10) })
    }

    /// A photo-like 640x427 RGB picture made in memory (sky gradient, discs, stripes), so
    /// the render figures need no sample file.
    public static func syntheticPhoto(width: Int = 640, height: Int = 427) -> Image {
        var image = Image(width: width, height: height, channels: 3)
        let discs: [(x: Float, y: Float, r: Float, color: SIMD3<Float>)] = [
            (0.3, 0.6, 0.18, [0.9, 0.3, 0.2]), (0.65, 0.45, 0.22, [0.95, 0.85, 0.2]),
            (0.8, 0.75, 0.1, [0.3, 0.5, 0.9]),
        ]
        for y in 0..<height {
            for x in 0..<width {
                let u = Float(x) / Float(width), v = Float(y) / Float(height)
                var color = SIMD3<Float>(0.35 + 0.3 * v, 0.55 + 0.2 * v, 0.9 - 0.3 * v)
                if v > 0.7 { color = [0.25, 0.45 + 0.1 * sinf(40 * u), 0.2] }
                for disc in discs {
                    let d = ((u - disc.x) * (u - disc.x) * 2.25 + (v - disc.y) * (v - disc.y)).squareRoot()
                    if d < disc.r { color = disc.color * (1 - 0.6 * d / disc.r) }
                }
                for c in 0..<3 { image[x, y, c] = min(max(color[c], 0), 1) }
            }
        }
        return image
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
                    detail:
                        "\(sheet.manifest.succeeded)/\(sheet.manifest.total) beat the best test digit, \(sheet.manifest.dead) dead"
                ))
        }
        return figures
    }

    /// `syntheticPhoto()` written as synthetic-640x427.png in a temporary folder of its
    /// own, for the render figures when no photo is given; the caller removes the folder.
    public static func writeSyntheticPhoto() throws -> String {
        let folder = NSTemporaryDirectory() + "dream-bench-photo-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/synthetic-640x427.png"
        try syntheticPhoto().write(to: path)
        return path
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
    /// `ChildUsage` (posix_spawn and wait4) rather than Foundation's Process, whose start-up and exit
    /// notification added 40 ms to a 60 ms process here (a shell's `time` agrees with this).
    public static func processSeconds(executable: String, arguments: [String], runs: Int = 7) throws -> Double {
        let times = try (0..<runs).map { _ in
            try ChildUsage.measure(executable: executable, arguments: arguments).wallSeconds
        }
        return times.sorted()[times.count / 2]
    }
}
