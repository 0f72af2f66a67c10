import Foundation

/// Problems a user can fix: bad settings, presets, objectives, sizes.
public enum DreamError: Error, LocalizedError, Equatable {
    case presetNotFound(name: String, searched: [String], available: [String])
    case presetUnreadable(path: String, reason: String)
    case presetInvalid(path: String, key: String, problem: String)
    case invalidSetting(key: String, problem: String)
    case mapOutOfRange(layer: String, map: Int, count: Int)
    case classOutOfRange(index: Int, count: Int)
    case objectiveNeedsFixedInput(mode: String, layer: String)
    case imageTooSmall(octave: Int, width: Int, height: Int, needs: Int, hint: String)
    case modelNotFound(searched: [String])
    case outputExists(path: String)

    public var errorDescription: String? {
        switch self {
        case .presetNotFound(let name, let searched, let available):
            return
                "preset '\(name)' not found in \(searched.joined(separator: ", ")); available: \(available.joined(separator: ", "))"
        case .presetUnreadable(let path, let reason):
            return "\(path): cannot read the preset (\(reason))"
        case .presetInvalid(let path, let key, let problem):
            return "\(path): key '\(key)': \(problem)"
        case .invalidSetting(let key, let problem):
            return "setting '\(key)': \(problem)"
        case .mapOutOfRange(let layer, let map, let count):
            return "map \(map) does not exist: layer \(layer) has maps 0...\(count - 1)"
        case .classOutOfRange(let index, let count):
            return "class \(index) does not exist: the network has classes 0...\(count - 1)"
        case .objectiveNeedsFixedInput(let mode, let layer):
            return
                "mode \(mode) cannot use layer \(layer): it needs 28x28 inputs; use --mode downscale, tiles or mixed, or a conv layer"
        case .imageTooSmall(let octave, let width, let height, let needs, let hint):
            return "octave \(octave): image has shrunk to \(width)x\(height), below \(needs)x\(needs); \(hint)"
        case .modelNotFound(let searched):
            return "no model found (looked in \(searched.joined(separator: ", "))); pass --model or run 'dream train'"
        case .outputExists(let path):
            return "\(path) exists; pass --force to overwrite it"
        }
    }
}
