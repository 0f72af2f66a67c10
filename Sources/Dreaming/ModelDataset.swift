import FileSupport
import Foundation
import NeuralNet

/// The data a command measures a model on: by default the model's own dataset, found
/// where it is installed; a `--data` folder only when its files are the ones the model
/// records (same SHA-256), unless the caller allows a mismatch.
public struct ModelDataset: Sendable {
    /// What the model was trained on (MNIST for a file without a record).
    public let record: DatasetRecord
    /// The folder the files are read from.
    public let directory: String
    /// The model file has no dataset record: it predates them and is taken as MNIST.
    public let assumed: Bool
    /// `--data` holds other data than the model's, allowed by the caller.
    public let mismatched: Bool
    /// What the folder holds when it is not the model's dataset (a known name or nil).
    public let other: String?

    /// Where a dataset named `name` is looked for, in order: `data/NAME` through
    /// `BundledAssets` ($DREAM_HOME, beside the executable, working folder), then the
    /// Debian package's `/usr/share/datasets/NAME` (`dataset-fashion-mnist` puts
    /// Fashion-MNIST there).
    public static func candidates(for name: String, roots: [BundledAssets.Root] = BundledAssets.roots) -> [String] {
        BundledAssets.candidates("data/\(name)", in: roots) + ["/usr/share/datasets/\(name)"]
    }

    /// How to get a dataset that is not found, for the error message.
    public static func installHint(for name: String) -> String {
        switch name {
        case DatasetRecord.fashionMNIST.name: "install it with 'sudo apt-get install dataset-fashion-mnist'"
        case DatasetRecord.mnist.name: "reinstall dream or set DREAM_HOME to a folder holding data/mnist"
        default: "put its IDX files in data/\(name)"
        }
    }

    /// The dataset for `model` (its record, nil for an old file) and `split`, from `data`
    /// when given. Checks the split's files against the record's SHA-256: a mismatch is
    /// an error naming both datasets unless `allowMismatch`.
    public static func resolve(
        record: DatasetRecord?, model: String, data: String?, split: MNISTDataset.Split, allowMismatch: Bool,
        verb: String, roots: [BundledAssets.Root] = BundledAssets.roots
    ) throws -> ModelDataset {
        let expected = record ?? .mnist
        let directory: String
        if let data {
            directory = data
        } else {
            let places = candidates(for: expected.name, roots: roots)
            guard let found = places.first(where: Files.isFolder) else {
                throw DreamError.datasetNotFound(
                    name: expected.name, model: model, searched: places, install: installHint(for: expected.name))
            }
            directory = found
        }
        // An old file says nothing about its data, so any folder is taken on trust; so are
        // the recorded dataset's own installed files.
        guard record != nil, data != nil else {
            return ModelDataset(
                record: expected, directory: directory, assumed: record == nil, mismatched: false, other: nil)
        }
        let digests = try DatasetRecord.fingerprint(directory: directory, split: split)
        guard expected.matches(digests, split: split) || expected.sha256(of: split).isEmpty else {
            let other = DatasetRecord.identify(digests)?.name
            guard allowMismatch else {
                throw DreamError.datasetMismatch(
                    data: directory, holds: other, model: model, expected: expected.name, verb: verb)
            }
            return ModelDataset(record: expected, directory: directory, assumed: false, mismatched: true, other: other)
        }
        return ModelDataset(record: expected, directory: directory, assumed: false, mismatched: false, other: nil)
    }

    /// The split's images, mapped to inputs as the model was trained; with `input`, shaped
    /// as `dream train` fed them to a model of that input (centred on a zero border for a
    /// larger input, the gray value in every channel of a colour one).
    public func load(_ split: MNISTDataset.Split, for input: FeatureShape? = nil) throws -> MNISTDataset {
        let data = try MNISTDataset(directory: directory, split: split, normalization: record.normalization)
        guard let input else { return data }
        guard let adapted = data.adapted(to: input) else {
            throw DreamError.dataDoesNotFit(model: "\(input)", data: "\(data.shape)")
        }
        return adapted
    }

    /// "evaluating on fashion-mnist (test set, 10,000 images) from /usr/share/datasets/fashion-mnist".
    public func describe(_ verb: String, split: MNISTDataset.Split, count: Int) -> String {
        let what = "(\(split.rawValue) set, \(Self.grouped(count)) images)"
        if mismatched {
            return
                "\(verb) on \(other ?? "other data") \(what) from \(directory), not on the model's \(record.name) (--allow-data-mismatch)"
        }
        return "\(verb) on \(record.name) \(what) from \(directory)"
    }

    /// The note for a model file without a dataset record (said once per command).
    public static func assumedNote(model: String) -> String {
        "note: \(model) has no dataset record (written before dream kept one); taking it as MNIST"
    }

    /// 10000 -> "10,000".
    static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
