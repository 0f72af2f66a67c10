import FileSupport
import Foundation

/// What is wrong with a model file; each message names the file.
public enum ModelFileError: Error, LocalizedError, Equatable {
    case unreadable(path: String, reason: String)
    case tooLarge(path: String, bytes: Int, limit: Int)
    case truncated(path: String, detail: String)
    case badHeader(path: String, detail: String)
    case notADreamModel(path: String, detail: String)
    case unsupportedVersion(path: String, found: String, supported: Int)
    case badArchitecture(path: String, detail: String)
    case badTrainingRecord(path: String, detail: String)
    case badDatasetRecord(path: String, detail: String)
    case missingTensor(path: String, name: String)
    case unknownTensor(path: String, name: String, known: [String])
    case unsupportedDType(path: String, name: String, dtype: String)
    case badOffsets(path: String, name: String, dataLength: Int)
    case shapeMismatch(path: String, name: String, expected: [Int], found: String)
    case nonFinite(path: String, name: String, index: Int, value: String)
    case unsuitable(path: String, problem: String)
    case writeFailed(path: String, reason: String)

    /// One line, whatever the file's names hold (a tensor named "a\nb").
    public var errorDescription: String? { message.escapingControlCharacters }

    private var message: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read the model (\(reason))"
        case .tooLarge(let path, let bytes, let limit):
            "\(path): model file is \(bytes) bytes, more than the \(limit) a model can need; not a dream model"
        case .truncated(let path, let detail): "\(path): model file is truncated (\(detail))"
        case .badHeader(let path, let detail): "\(path): not a safetensors file (\(detail))"
        case .notADreamModel(let path, let detail): "\(path): not a dream model (\(detail))"
        case .unsupportedVersion(let path, let found, let supported):
            "\(path): model format version \(found) is not supported (this dream reads up to \(supported)); update dream"
        case .badArchitecture(let path, let detail): "\(path): model architecture is invalid: \(detail)"
        case .badTrainingRecord(let path, let detail):
            "\(path): training record is invalid: \(detail); the file is damaged or was not written by dream train"
        case .badDatasetRecord(let path, let detail):
            "\(path): dataset record is invalid: \(detail); the file is damaged or was not written by dream train"
        case .missingTensor(let path, let name): "\(path): tensor '\(name)' is missing"
        case .unknownTensor(let path, let name, let known):
            "\(path): tensor '\(name)' is not one this dream knows (\(known.joined(separator: ", ")))"
        case .unsupportedDType(let path, let name, let dtype):
            "\(path): tensor '\(name)' has dtype \(dtype); only F32 is supported"
        case .badOffsets(let path, let name, let dataLength):
            "\(path): tensor '\(name)' has data offsets that do not match its shape or the \(dataLength) data bytes (truncated file?)"
        case .shapeMismatch(let path, let name, let expected, let found):
            "\(path): tensor '\(name)' has shape \(found), the architecture needs \(expected)"
        case .nonFinite(let path, let name, let index, let value):
            "\(path): tensor '\(name)' holds \(value) at index \(index); a model needs finite weights (retrain it)"
        case .unsuitable(let path, let problem): "\(path): \(problem)"
        case .writeFailed(let path, let reason): "\(path): cannot write the model (\(reason))"
        }
    }
}
