import FileSupport
import Foundation

/// Why `dream import` refused a weights file; each message is one line.
public enum ModelImportError: Error, LocalizedError, Equatable {
    case file(ModelFileError)
    case badArchitecture(problem: String)
    case unknownTensor(path: String, name: String)
    case mismatch(path: String, problem: String, found: String, expected: String, layout: ModelImport.Layout)
    case unsuitableData(problem: String)
    case accuracyMismatch(expected: Double, measured: Double, dataName: String, count: Int)

    public var errorDescription: String? {
        let message =
            switch self {
            case .file(let error): error.errorDescription ?? "\(error)"
            case .badArchitecture(let problem): "--arch: \(problem)"
            case .unknownTensor(let path, let name):
                "\(path): tensor '\(name)' is not a layer's weight, kernel or bias; only conv and dense layers import (no batch norm or other layers)"
            case .mismatch(let path, let problem, let found, let expected, let layout):
                "\(path): the tensors do not fit --arch (\(problem)); found \(found); expected in \(layout.rawValue) layout: \(expected); check --arch and --layout"
            case .unsuitableData(let problem): "--expect-accuracy: \(problem)"
            case .accuracyMismatch(let expected, let measured, let dataName, let count):
                String(
                    format:
                        "the imported model scores %.2f%% on %d test images of %@, not the %.2f%% stated (more than 0.1 points apart); check --arch, --layout and --data; nothing was written",
                    100 * measured, count, dataName, 100 * expected)
            }
        return message.escapingControlCharacters
    }
}

extension ModelFileError {
    /// The message without the file's path, for errors that name it themselves.
    var detail: String {
        let text = errorDescription ?? "\(self)"
        guard let range = text.range(of: ": ") else { return text }
        return String(text[range.upperBound...])
    }
}
