import ArgumentParser
import Dreaming
import Foundation
import NeuralNet

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the CNN on an MNIST-format dataset.",
        discussion: """
            Mini-batch SGD with momentum, an L2 penalty on the weights, a learning-rate warm-up and \
            a step schedule. After every epoch it reports the maps that never fire on 2,000 probe \
            training images (dead ReLUs) and gives them new filters. A checkpoint is written after every epoch (atomically: Ctrl-C keeps the last \
            one intact); --resume continues from it. Any IDX dataset of 28x28 images with labels \
            0-9 works, e.g. Fashion-MNIST from the Debian package dataset-fashion-mnist \
            (--data /usr/share/datasets/fashion-mnist). The model file records its dataset: \
            the name, class names, how bytes map to inputs and the SHA-256 of the IDX files; \
            MNIST and Fashion-MNIST are recognised by their SHA-256, other data is named by \
            --dataset-name and --classes. evaluate, predict, oip and sheet then use that dataset.
            """)

    @Option(help: "Folder with train-/t10k- IDX files (gzip or plain); default: the bundled MNIST.")
    var data: String?
    // Defaults come from the library's Trainer.Settings (--help shows them).
    @Option(help: "Total number of epochs.") var epochs = Trainer.Settings().epochs
    @Option(help: "Images per mini-batch.") var batch = Trainer.Settings().batchSize
    @Option(help: "Initial learning rate.") var lr = Trainer.Settings().learningRate
    @Option(help: "Momentum of the SGD update.") var momentum = Trainer.Settings().momentum
    @Option(help: "L2 penalty: adds l2 * sum(w^2) over the weights to the loss.") var l2 = Trainer.Settings().l2
    @Option(help: "Multiply the learning rate by this factor ...") var lrDrop = Trainer.Settings().learningRateDrop
    @Option(help: "... every this many epochs.") var dropEvery = Trainer.Settings().dropEvery
    @Option(help: "Raise the learning rate linearly over this many first batches.")
    var warmup = Trainer.Settings().warmupBatches
    @Option(help: "Seed for initialisation and shuffling.") var seed = Trainer.Settings().seed
    @Option(
        help: ArgumentHelp(
            "The network to train, e.g. \(ArchitectureSpec.bundled) (the default: the bundled model's).",
            discussion: "Forms: \(ArchitectureSpec.grammar)."))
    var arch: String?
    @Flag(
        inversion: .prefixedNo,
        help: "After every epoch, give maps that never fire on 2,000 probe training images new filters.")
    var reviveDeadMaps = Trainer.Settings().reviveDeadMaps
    @Option(help: "The dataset's name in the model file (default: recognised by SHA-256, else the folder's name).")
    var datasetName: String?
    @Option(
        help: ArgumentHelp(
            "The class names in label order, separated by commas (default: recognised, else 0-9).",
            valueName: "name,name,..."))
    var classes: String?
    @Flag(help: "Continue the run whose checkpoint is at --output.") var resume = false
    @Option(name: .shortAndLong, help: "The model/checkpoint file to write.") var output = "model.safetensors"

    @OptionGroup var threadOptions: ThreadOptions

    /// The same ranges a checkpoint's training record must meet (`Trainer.Settings.Limits`).
    func validate() throws {
        typealias R = Trainer.Settings.Limits
        try checkRange("--epochs", epochs, R.epochs)
        try checkRange("--batch", batch, R.batchSize)
        try checkRange("--lr", lr, R.learningRate)
        try checkRange("--momentum", momentum, R.momentum)
        try checkRange("--l2", l2, R.l2)
        try checkRange("--lr-drop", lrDrop, R.learningRateDrop)
        try checkRange("--drop-every", dropEvery, R.dropEvery)
        try checkRange("--warmup", warmup, R.warmupBatches)
        if let datasetName, datasetName.isEmpty || datasetName.utf8.count > DatasetRecord.nameLength {
            throw ValidationError("--dataset-name needs 1...\(DatasetRecord.nameLength) bytes")
        }
        if let names = classNames,
            names.count != 10 || names.contains(where: { $0.isEmpty || $0.utf8.count > DatasetRecord.classNameLength })
        {
            throw ValidationError(
                "--classes needs 10 names (one per label 0-9) of 1...\(DatasetRecord.classNameLength) bytes, separated by commas; got \(names.count)"
            )
        }
    }

    var classNames: [String]? {
        classes.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { String($0) } }
    }

    /// The record of the data in `folder`: a known dataset by its SHA-256, else named by
    /// the flags (or the folder); the flags win over what is recognised.
    func datasetRecord(of folder: String) throws -> (record: DatasetRecord, recognised: Bool) {
        let digests = try DatasetRecord.fingerprint(directory: folder, split: .train).merging(
            DatasetRecord.fingerprint(directory: folder, split: .test)
        ) { a, _ in a }
        var record =
            DatasetRecord.identify(digests)
            ?? DatasetRecord(
                name: URL(fileURLWithPath: folder).lastPathComponent, classes: (0...9).map(String.init),
                sha256: digests)
        let recognised = record.sha256 == digests
        if let datasetName { record.name = datasetName }
        if let names = classNames { record.classes = names }
        return (record, recognised)
    }

    func run() throws {
        try threadOptions.apply()
        let data = try self.data ?? DigitInput.defaultDataDirectory()
        var settings = Trainer.Settings()
        settings.epochs = epochs
        settings.batchSize = batch
        settings.learningRate = lr
        settings.momentum = momentum
        settings.l2 = l2
        settings.learningRateDrop = lrDrop
        settings.dropEvery = dropEvery
        settings.seed = seed
        settings.reviveDeadMaps = reviveDeadMaps
        settings.warmupBatches = warmup
        let model: Sequential
        var velocity: [Float]? = nil
        var startEpoch = 0
        if resume {
            // Any input shape (a --arch checkpoint), ten classes.
            let loaded = try ModelFile.read(contentsOf: output)
            let requirement = ModelRequirement(use: "train --resume", input: loaded.model.inputShape, classes: 10)
            if let problem = requirement.problem(with: loaded.model) {
                throw ModelFileError.unsuitable(path: output, problem: problem)
            }
            guard let record = loaded.training else {
                throw ValidationError("\(output) has no training record to resume from (not written by dream train)")
            }
            model = loaded.model
            if let arch, try ArchitectureSpec(parsing: arch) != model.architecture {
                throw ValidationError(
                    "--arch \(arch) differs from \(output)'s architecture \(model.architecture); leave it out to resume"
                )
            }
            velocity = loaded.extraTensors[ModelFile.velocityName]
            if velocity == nil { print("note: \(output) is a finished model; momentum restarts from zero") }
            startEpoch = record.epochs
            settings = Trainer.settings(from: record, epochs: epochs)
            print("resuming \(output) after epoch \(startEpoch) of \(epochs)")
        } else {
            model = try Sequential(ArchitectureSpec(parsing: arch ?? ArchitectureSpec.bundled))
            model.initialize(seed: seed)
        }
        guard startEpoch < epochs else {
            print("\(output) already has \(startEpoch) epochs; ask for more with --epochs")
            return
        }
        let trainer = try Trainer(model: model, settings: settings, velocity: velocity)
        // The data after the checkpoint: a bad checkpoint is refused before any work.
        var (dataset, recognised) = try datasetRecord(of: data)
        if resume, let recorded = try ModelFile.read(contentsOf: output).dataset {
            guard recorded.sha256 == dataset.sha256 else {
                throw DreamError.datasetMismatch(
                    data: data, holds: DatasetRecord.identify(dataset.sha256)?.name, model: output,
                    expected: recorded.name, verb: "train")
            }
            if datasetName == nil && classes == nil { dataset = recorded }
        }
        let train = try adapted(
            MNISTDataset(directory: data, split: .train, normalization: dataset.normalization), to: model, from: data)
        let test = try adapted(
            MNISTDataset(directory: data, split: .test, normalization: dataset.normalization), to: model, from: data)
        print(
            "dataset: \(dataset.name) (\(recognised ? "recognised by SHA-256" : "named by flags or folder")), classes: \(dataset.classes.joined(separator: ", "))"
        )
        let line = ProgressLine()
        installInterruptHandler()
        print(
            "training \(model.parameterCount) parameters on \(train.count) images of \(data), testing on \(test.count)")
        let results = try trainer.run(
            train: train, test: test, datasetName: dataset.name, dataset: dataset,
            startEpoch: startEpoch, checkpointPath: output,
            progress: { p in
                line.update(
                    String(
                        format: "epoch %d/%d %@ batch %d/%d  loss %.4f  acc %.4f  %.0f img/s  ETA %@",
                        p.epoch + 1, p.epochs, ProgressLine.bar(Double(p.batch) / Double(p.batches)), p.batch,
                        p.batches, p.loss, p.accuracy, p.imagesPerSecond, ProgressLine.duration(p.secondsLeft)))
            },
            epochDone: { r in
                line.finish()
                print(
                    String(
                        format:
                            "epoch %d/%d: loss %.4f, train accuracy %.2f%%, test accuracy %.2f%%, %.1f s, lr %.4g -> %@",
                        r.epoch + 1, epochs, r.loss, 100 * r.trainAccuracy, 100 * r.testAccuracy, r.seconds,
                        settings.learningRate(epoch: r.epoch), output))
                let revived = r.activity.layers.compactMap { layer in
                    r.revived[layer.name].map { "\(layer.name) \($0.map(String.init).joined(separator: " "))" }
                }
                print(
                    "  dead: \(r.activity.summary)"
                        + (revived.isEmpty ? "" : "; revived \(revived.joined(separator: ", "))"))
            },
            shouldStop: { interruptRequested != 0 })
        line.finish()
        if interruptRequested != 0 {
            let done = startEpoch + results.count
            if done == 0 {
                print("interrupted during the first epoch; nothing was written")
            } else {
                print("interrupted; \(output) holds epoch \(done) of \(epochs), intact; continue with --resume")
            }
            throw ExitCode(130)
        }
    }

    /// The 28x28 gray images padded and replicated to the model's input.
    func adapted(_ data: MNISTDataset, to model: Sequential, from folder: String) throws -> MNISTDataset {
        guard let result = data.adapted(to: model.inputShape) else {
            throw ValidationError(
                "\(folder) holds \(data.shape) images; a model of \(model.inputShape) inputs cannot take them (use an input of at least \(data.shape.height)x\(data.shape.width))"
            )
        }
        return result
    }
}
