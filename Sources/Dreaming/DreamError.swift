import FileSupport
import Foundation

/// Problems a user can fix: bad settings, presets, objectives, sizes.
public enum DreamError: Error, LocalizedError, Equatable {
    case presetNotFound(name: String, searched: [String], available: [String])
    case presetUnreadable(path: String, reason: String)
    case presetInvalid(path: String, key: String, problem: String)
    case invalidSetting(key: String, problem: String)
    case mapOutOfRange(layer: String, map: Int, count: Int)
    case classOutOfRange(index: Int, count: Int)
    case objectiveNeedsFixedInput(mode: String, layer: String, input: String)
    case imageTooSmall(octave: Int, width: Int, height: Int, needs: String, hint: String)
    case modelNotFound(searched: [String])
    case namedModelNotFound(name: String, searched: [String], available: [String])
    case datasetNotFound(name: String, model: String, searched: [String], install: String)
    case datasetMismatch(data: String, holds: String?, model: String, expected: String, verb: String)
    case dataNotFound(searched: [String])
    case sampleNotFound(searched: [String])
    case outputExists(path: String)
    case objectiveCannotMove(terms: String)
    /// The model's input shape and the dataset's images differ.
    case dataDoesNotFit(model: String, data: String)
    case notEnoughMemory(width: Int, height: Int, mode: String, needs: Int, limit: Int, source: String)
    case outputMustBeFolder(path: String)
    case maskUnreadable(path: String, problem: String)

    public var errorDescription: String? {
        switch self {
        case .presetNotFound(let name, let searched, let available):
            return
                "preset '\(name)' not found (looked in \(searched.joined(separator: ", "))); "
                + (available.isEmpty
                    ? "no presets are installed: reinstall dream, set DREAM_HOME, or pass a .json path"
                    : "available: \(available.joined(separator: ", "))")
        case .presetUnreadable(let path, let reason):
            return "\(path): cannot read the preset (\(reason))"
        case .presetInvalid(let path, let key, let problem):
            // Key and problem come from the file: a key may hold a newline.
            return "\(path): key '\(key)': \(problem)".escapingControlCharacters
        case .invalidSetting(let key, let problem):
            return "setting '\(key)': \(problem)"
        case .mapOutOfRange(let layer, let map, let count):
            return "map \(map) does not exist: layer \(layer) has maps 0...\(count - 1)"
        case .classOutOfRange(let index, let count):
            return "class \(index) does not exist: the network has classes 0...\(count - 1)"
        case .objectiveNeedsFixedInput(let mode, let layer, let input):
            return
                "mode \(mode) cannot use layer \(layer): it needs \(input) inputs; use --mode downscale, tiles or mixed, or a conv layer"
        case .imageTooSmall(let octave, let width, let height, let needs, let hint):
            return "octave \(octave): image has shrunk to \(width)x\(height), below \(needs); \(hint)"
        case .dataNotFound(let searched):
            return
                "no MNIST data found (looked in \(searched.joined(separator: ", "))); pass --data FOLDER or set DREAM_HOME to a folder holding data/mnist"
        case .sampleNotFound(let searched):
            return
                "no sample photo found (looked in \(searched.joined(separator: ", "))); pass --photo PATH or set DREAM_HOME"
        case .modelNotFound(let searched):
            return "no model found (looked in \(searched.joined(separator: ", "))); pass --model or run 'dream train'"
        case .namedModelNotFound(let name, let searched, let available):
            return
                "no model '\(name)': not a file nor a bundled model (looked in \(searched.joined(separator: ", "))); "
                + (available.isEmpty ? "pass a model file's path" : "bundled: \(available.joined(separator: ", "))")
        case .datasetNotFound(let name, let model, let searched, let install):
            return
                "\(name), the dataset \(model) was trained on, is not found (looked in \(searched.joined(separator: ", "))); \(install), or pass --data FOLDER"
        case .datasetMismatch(let data, let holds, let model, let expected, let verb):
            return
                "\(data) holds \(holds ?? "other data (unknown SHA-256)"), but \(model) was trained on \(expected); drop --data to use \(expected), or add --allow-data-mismatch to \(verb) on it anyway"
        case .dataDoesNotFit(let model, let data):
            return
                "the model takes \(model) inputs but the dataset has \(data) images (they can be padded to a larger input or copied into colour channels, not shrunk); use a model trained on this data"
        case .objectiveCannotMove(let terms):
            return
                "the objective (\(terms)) has no gradient on this photo: every value it reads is zero after a ReLU, so the dream cannot move; choose another map or layer, or a conv/dense layer (their maps use pre-activation values)"
        case .outputMustBeFolder(let path):
            return "\(path): -o must be a folder when several photos are given, and a file is in the way"
        case .maskUnreadable(let path, let problem):
            return "\(path): cannot use it as a mask (\(problem)); give a gray PNG or JPEG, white where to dream"
        case .outputExists(let path):
            return "\(path) exists; pass --force to overwrite it"
        case .notEnoughMemory(let width, let height, let mode, let needs, let limit, let source):
            return
                "a \(width)x\(height) render in \(mode) mode needs about \(RenderMemory.format(needs)), more than the \(RenderMemory.format(limit)) this process may use (\(source)); use a smaller photo or raise the limit"
        }
    }
}
