import Foundation

/// Problems with a network's shapes, layers or arguments.
public enum NetworkError: Error, LocalizedError, Equatable {
    case inputTooSmall(layer: String, input: FeatureShape, needs: String)
    case shapeMismatch(layer: String, expected: String, got: String)
    case unknownLayer(name: String, known: [String])
    case badSpec(layer: String, problem: String)
    case badNetwork(problem: String)
    case unsuitableModel(problem: String)
    case badSetting(key: String, problem: String)

    public var errorDescription: String? {
        switch self {
        case .inputTooSmall(let layer, let input, let needs):
            return "layer \(layer): input \(input) is too small, it needs \(needs)"
        case .shapeMismatch(let layer, let expected, let got):
            return "layer \(layer): expected \(expected), got \(got)"
        case .unknownLayer(let name, let known):
            return "no layer named '\(name)'; the model has \(known.joined(separator: ", "))"
        case .badSpec(let layer, let problem):
            return "layer \(layer): \(problem)"
        case .badNetwork(let problem):
            return "network architecture is invalid: \(problem)"
        case .unsuitableModel(let problem):
            return problem
        case .badSetting(let key, let problem):
            return "\(key): \(problem)"
        }
    }
}
