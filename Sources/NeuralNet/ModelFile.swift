import FileSupport
import Foundation

/// The model on disk: safetensors (8-byte little-endian header length, a JSON header,
/// then little-endian float32 tensors), readable by any safetensors loader.
///
/// `__metadata__` holds `format` ("dream-cnn"), `version`, `architecture` (JSON: input
/// shape and layer specs), `training` (JSON: the training record) and `dataset` (JSON:
/// `DatasetRecord`, what it was trained on; absent in files written before it existed).
public enum ModelFile {
    public static let format = "dream-cnn"
    public static let version = 1
    /// Tensors with this prefix carry optimizer state in checkpoints; loading a model skips them.
    public static let optimizerPrefix = "optimizer."

    public struct Architecture: Codable, Sendable {
        public var input: [Int]
        public var layers: [LayerSpec]
    }

    public struct Loaded {
        public let model: Sequential
        public let training: TrainingRecord?
        public let extraTensors: [String: [Float]]
        /// What the model was trained on; nil for files from before the record existed.
        public var dataset: DatasetRecord? = nil
    }

    public static func encode(
        _ model: Sequential, training: TrainingRecord?, dataset: DatasetRecord? = nil,
        extraTensors: [(name: String, values: [Float])] = []
    ) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Records of strings, integers and floats, non-finite floats spelled out (a diverged
        // run's loss reads back as a bad record, not a crash here): encoding cannot fail, and
        // neither can serialising the header's strings, integers and arrays below.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let architecture = Architecture(
            input: [model.inputShape.height, model.inputShape.width, model.inputShape.channels],
            layers: model.specs)
        var metadata: [String: String] = [
            "format": format, "version": String(version),
            "architecture": String(decoding: try! encoder.encode(architecture), as: UTF8.self),
        ]
        if let training { metadata["training"] = String(decoding: try! encoder.encode(training), as: UTF8.self) }
        if let dataset { metadata["dataset"] = String(decoding: try! encoder.encode(dataset), as: UTF8.self) }

        var header: [String: Any] = ["__metadata__": metadata]
        var blobs: [[Float]] = []
        var offset = 0
        for view in model.tensors {
            header[view.name] = [
                "dtype": "F32", "shape": view.shape, "data_offsets": [offset, offset + 4 * view.count],
            ]
            blobs.append(Array(UnsafeBufferPointer(start: model.parameters.pointer + view.offset, count: view.count)))
            offset += 4 * view.count
        }
        for extra in extraTensors {
            header[extra.name] = [
                "dtype": "F32", "shape": [extra.values.count],
                "data_offsets": [offset, offset + 4 * extra.values.count],
            ]
            blobs.append(extra.values)
            offset += 4 * extra.values.count
        }
        var json = [UInt8](try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        while json.count % 8 != 0 { json.append(0x20) }  // the format pads the header with spaces
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: json)
        for blob in blobs {
            for value in blob { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        }
        return bytes
    }

    /// Writes atomically: an interrupted save leaves the previous file intact.
    public static func write(
        _ model: Sequential, training: TrainingRecord?, dataset: DatasetRecord? = nil,
        extraTensors: [(name: String, values: [Float])] = [], to path: String
    ) throws(ModelFileError) {
        do {
            try Files.write(encode(model, training: training, dataset: dataset, extraTensors: extraTensors), to: path)
        } catch {
            throw .writeFailed(path: path, reason: error.reason)
        }
    }

    /// Files larger than this are refused before reading: the largest model allowed
    /// (`Sequential.Limits.parameters` floats, twice over with its momentum) plus a header.
    public static let maxFileBytes = 8 * Sequential.Limits.parameters + maxHeaderBytes + 8
    /// The JSON header's limit; ours are a few KB.
    public static let maxHeaderBytes = 1 << 24
    /// The optimizer tensor a checkpoint may carry: SGD's momentum, one float per parameter.
    public static let velocityName = optimizerPrefix + "velocity"

    /// The file's bytes: a regular file no larger than `maxFileBytes` (a FIFO or device
    /// would block or never end).
    public static func bytes(contentsOf path: String) throws(ModelFileError) -> [UInt8] {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw .unreadable(path: path, reason: "no such file")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw .unreadable(path: path, reason: "not a regular file")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maxFileBytes else { throw .tooLarge(path: path, bytes: size, limit: maxFileBytes) }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadable(path: path, reason: "permission denied or not a file")
        }
    }

    /// Reads and checks a model; with `requirement`, also that its shapes suit that use.
    public static func read(contentsOf path: String, for requirement: ModelRequirement? = nil) throws(ModelFileError)
        -> Loaded
    {
        try decode(bytes(contentsOf: path), path: path, for: requirement)
    }

    /// Checks everything a foreign file declares before allocating from it: header
    /// length, architecture bounds (`Sequential.Limits`), every tensor's shape against the
    /// architecture and its offsets against the file, finite values, the optimizer state's
    /// length and the training record's ranges. `path` only names the file in errors.
    public static func decode(_ bytes: [UInt8], path: String, for requirement: ModelRequirement? = nil)
        throws(ModelFileError) -> Loaded
    {
        let file = try SafetensorsFile(bytes: bytes, path: path, maxHeaderBytes: maxHeaderBytes)
        var metadata: [String: String] = [:]
        guard case .object(let members)? = file.metadata else {
            throw .notADreamModel(path: path, detail: "no __metadata__; it is a safetensors file but not one of ours")
        }
        for member in members {
            guard case .string(let text) = member.value else {
                throw .notADreamModel(path: path, detail: "metadata '\(member.key)' is not a string")
            }
            metadata[member.key] = text
        }
        guard metadata["format"] == format else {
            throw .notADreamModel(
                path: path, detail: "metadata format is '\(metadata["format"] ?? "missing")', expected '\(format)'")
        }
        guard let versionText = metadata["version"], let fileVersion = Int(versionText), fileVersion <= version else {
            throw .unsupportedVersion(path: path, found: metadata["version"] ?? "missing", supported: version)
        }
        guard let architectureText = metadata["architecture"] else {
            throw .badArchitecture(path: path, detail: "metadata 'architecture' is missing")
        }
        let architecture: Architecture
        do {
            architecture = try Architecture(json: JSONValue.parse(Array(architectureText.utf8)))
        } catch {
            throw .badArchitecture(path: path, detail: "\(error)")
        }
        let training = try metadata["training"].map { text throws(ModelFileError) in
            do {
                return try TrainingRecord(json: JSONValue.parse(Array(text.utf8)))
            } catch {
                throw .badTrainingRecord(path: path, detail: "\(error)")
            }
        }

        let dataset = try metadata["dataset"].map { text throws(ModelFileError) in
            do {
                return try DatasetRecord(json: JSONValue.parse(Array(text.utf8)))
            } catch {
                throw .badDatasetRecord(path: path, detail: "\(error)")
            }
        }

        let model: Sequential
        do {
            model = try Sequential(
                inputShape: FeatureShape(
                    height: architecture.input[0], width: architecture.input[1],
                    channels: architecture.input[2]), specs: architecture.layers)
        } catch {
            if case .badNetwork(let problem) = error { throw .badArchitecture(path: path, detail: problem) }
            throw .badArchitecture(path: path, detail: error.errorDescription ?? "\(error)")
        }
        if let requirement, let problem = requirement.problem(with: model) {
            throw .unsuitable(path: path, problem: problem)
        }
        if let dataset, let outputs = try? model.outputShapes(for: model.inputShape).last?.count,
            dataset.classes.count != outputs
        {
            throw .badDatasetRecord(
                path: path, detail: "it names \(dataset.classes.count) classes, the model has \(outputs) outputs")
        }
        for view in model.tensors {
            let values = try file.floats(view.name, expected: view.shape)
            values.withUnsafeBufferPointer {
                (model.parameters.pointer + view.offset).update(from: $0.baseAddress!, count: view.count)
            }
        }
        var extras: [String: [Float]] = [:]
        for name in file.entries.keys.sorted() where name.hasPrefix(optimizerPrefix) {
            guard name == velocityName else { throw .unknownTensor(path: path, name: name, known: [velocityName]) }
            extras[name] = try file.floats(name, expected: [model.parameterCount])
        }
        return Loaded(model: model, training: training, extraTensors: extras, dataset: dataset)
    }
}
