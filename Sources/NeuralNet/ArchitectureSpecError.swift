import FileSupport
import Foundation

/// Why an architecture spec (`dream train --arch`, `dream import --arch`) was refused;
/// each message is one line naming the offending item and the forms allowed.
public enum ArchitectureSpecError: Error, LocalizedError, Equatable {
    case badToken(token: String, index: Int, expected: String)
    case badGeometry(layer: String, token: String, problem: String)
    case badStructure(problem: String)

    public var errorDescription: String? {
        let message =
            switch self {
            case .badToken(let token, let index, let expected):
                "architecture spec: item \(index) '\(token)' is not understood; write \(expected), e.g. \(ArchitectureSpec.bundled)"
            case .badGeometry(let layer, let token, let problem):
                "architecture spec: layer \(layer) ('\(token)'): \(problem)"
            case .badStructure(let problem):
                "architecture spec: \(problem)"
            }
        return message.escapingControlCharacters
    }
}
