import FileSupport
import Foundation

/// The model on disk: safetensors (8-byte little-endian header length, a JSON header,
/// then little-endian float32 tensors), readable by any safetensors loader.
///
/// `__metadata__` holds `format` ("dream-cnn"), `version`, `architecture` (JSON: input
/// shape and layer specs) and `training` (JSON: the training record).
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
    }

    public static func encode(
        _ model: Sequential, training: TrainingRecord?, extraTensors: [(name: String, values: [Float])] = []
    ) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let architecture = Architecture(
            input: [model.inputShape.height, model.inputShape.width, model.inputShape.channels],
            layers: model.specs)
        var metadata: [String: String] = [
            "format": format, "version": String(version),
            "architecture": String(decoding: try! encoder.encode(architecture), as: UTF8.self),
        ]
        if let training { metadata["training"] = String(decoding: try! encoder.encode(training), as: UTF8.self) }

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
        _ model: Sequential, training: TrainingRecord?, extraTensors: [(name: String, values: [Float])] = [],
        to path: String
    ) throws(ModelFileError) {
        do {
            try AtomicWrite.write(encode(model, training: training, extraTensors: extraTensors), to: path)
        } catch {
            throw .writeFailed(path: path, reason: error.reason)
        }
    }

    public static func read(contentsOf path: String) throws(ModelFileError) -> Loaded {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(
                path: path,
                reason: FileManager.default.fileExists(atPath: path)
                    ? "permission denied or not a file" : "no such file")
        }
        return try decode([UInt8](data), path: path)
    }

    public static func decode(_ bytes: [UInt8], path: String) throws(ModelFileError) -> Loaded {
        guard bytes.count >= 8 else {
            throw .truncated(path: path, detail: "\(bytes.count) bytes, not even a header length")
        }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard length >= 2, length <= UInt64(bytes.count - 8) else {
            throw .badHeader(path: path, detail: "header length \(length) does not fit a file of \(bytes.count) bytes")
        }
        let headerEnd = 8 + Int(length)
        guard let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])) as? [String: Any] else {
            throw .badHeader(path: path, detail: "header is not a JSON object")
        }
        guard let metadata = header["__metadata__"] as? [String: String] else {
            throw .notADreamModel(path: path, detail: "no __metadata__; it is a safetensors file but not one of ours")
        }
        guard metadata["format"] == format else {
            throw .notADreamModel(
                path: path, detail: "metadata format is '\(metadata["format"] ?? "missing")', expected '\(format)'")
        }
        guard let versionText = metadata["version"], let fileVersion = Int(versionText), fileVersion <= version else {
            throw .unsupportedVersion(path: path, found: metadata["version"] ?? "missing", supported: version)
        }
        guard let architectureText = metadata["architecture"],
            let architecture = try? JSONDecoder().decode(Architecture.self, from: Data(architectureText.utf8)),
            architecture.input.count == 3, architecture.input.allSatisfy({ $0 > 0 })
        else { throw .badArchitecture(path: path, detail: "metadata 'architecture' is missing or malformed") }
        let training = metadata["training"].flatMap {
            try? JSONDecoder().decode(TrainingRecord.self, from: Data($0.utf8))
        }

        let model: Sequential
        do {
            model = try Sequential(
                inputShape: FeatureShape(
                    height: architecture.input[0], width: architecture.input[1],
                    channels: architecture.input[2]), specs: architecture.layers)
        } catch {
            throw .badArchitecture(path: path, detail: error.errorDescription ?? "\(error)")
        }
        let dataLength = bytes.count - headerEnd
        func tensor(_ name: String, _ entry: Any?) throws(ModelFileError) -> (shape: [Int], range: Range<Int>) {
            guard let entry = entry as? [String: Any] else { throw .missingTensor(path: path, name: name) }
            guard let dtype = entry["dtype"] as? String, dtype == "F32" else {
                throw .unsupportedDType(path: path, name: name, dtype: "\(entry["dtype"] ?? "missing")")
            }
            guard let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int],
                offsets.count == 2,
                offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] <= dataLength,
                offsets[1] - offsets[0] == 4 * shape.reduce(1, *)
            else { throw .badOffsets(path: path, name: name, dataLength: dataLength) }
            return (shape, (headerEnd + offsets[0])..<(headerEnd + offsets[1]))
        }
        func floats(_ range: Range<Int>) -> [Float] {
            stride(from: range.lowerBound, to: range.upperBound, by: 4).map { i in
                Float(
                    bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(
                        bytes[i + 3]) << 24)
            }
        }
        for view in model.tensors {
            let (shape, range) = try tensor(view.name, header[view.name])
            guard shape == view.shape else {
                throw .shapeMismatch(path: path, name: view.name, expected: view.shape, found: shape)
            }
            let values = floats(range)
            values.withUnsafeBufferPointer {
                (model.parameters.pointer + view.offset).update(from: $0.baseAddress!, count: view.count)
            }
        }
        var extras: [String: [Float]] = [:]
        for (name, entry) in header where name.hasPrefix(optimizerPrefix) {
            extras[name] = floats(try tensor(name, entry).range)
        }
        return Loaded(model: model, training: training, extraTensors: extras)
    }
}
