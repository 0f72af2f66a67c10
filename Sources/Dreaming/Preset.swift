import FileSupport
import Foundation

/// A named, versioned JSON file of dream settings.
public struct Preset: Sendable {
    public var name: String
    public var path: String
    public var settings: DreamSettings

    /// Reads a preset over the defaults. Errors name the file, the key and the problem.
    public init(contentsOf path: String, base: DreamSettings = DreamSettings()) throws(DreamError) {
        let data: Data
        do {
            data = Data(try Files.read(path))
        } catch {
            throw .presetUnreadable(path: path, reason: error.reason)
        }
        self.name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        self.path = path
        self.settings = try Self.decode(data, path: path, base: base)
    }

    static func decode(_ data: Data, path: String, base: DreamSettings) throws(DreamError) -> DreamSettings {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .presetInvalid(
                path: path, key: "(file)",
                problem: "not valid JSON (\((error as NSError).userInfo["NSDebugDescription"] ?? "syntax error"))")
        }
        guard let dictionary = object as? [String: Any] else {
            throw .presetInvalid(path: path, key: "(file)", problem: "must be a JSON object of settings")
        }
        for key in dictionary.keys.sorted() where !DreamSettings.keys.contains(key) {
            let nearest = DreamSettings.keys.min { editDistance($0, key) < editDistance($1, key) }!
            throw .presetInvalid(path: path, key: key, problem: "unknown key; did you mean '\(nearest)'?")
        }
        let settings: DreamSettings
        do {
            settings = try DreamSettingsOverlay.decode(data, base: base)
        } catch let error as DecodingError {
            throw .presetInvalid(path: path, key: Self.keyPath(of: error), problem: Self.describe(error))
        } catch {
            throw .presetInvalid(path: path, key: "(file)", problem: "\(error)")
        }
        if let (key, problem) = settings.problems().first {
            throw .presetInvalid(path: path, key: key, problem: problem)
        }
        return settings
    }

    static func keyPath(of error: DecodingError) -> String {
        let path: [CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        case .keyNotFound(let key, let context):
            path = context.codingPath + [key]
        @unknown default:
            path = []
        }
        return path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            .replacingOccurrences(of: ".[", with: "[")
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, _): return "expected \(typeName(type))"
        case .valueNotFound(let type, _): return "expected \(typeName(type)), found null"
        case .keyNotFound: return "missing"
        case .dataCorrupted(let context):
            return context.debugDescription.contains("Cannot initialize")
                ? "not one of the allowed values" : context.debugDescription
        @unknown default: return "invalid"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "an integer"
        case is Float.Type, is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is [Int].Type: return "a list of integers"
        default: return "\(type)".contains("Dictionary") ? "an object of layer weights" : "\(type)"
        }
    }
}

/// Decodes only the keys present, on top of a base.
struct DreamSettingsOverlay: Decodable {
    let settings: DreamSettings
    static func decode(_ data: Data, base: DreamSettings) throws -> DreamSettings {
        let decoder = JSONDecoder()
        decoder.userInfo[baseKey] = base
        return try decoder.decode(DreamSettingsOverlay.self, from: data).settings
    }
    static let baseKey = CodingUserInfoKey(rawValue: "base")!
    init(from decoder: Decoder) throws {
        settings = try DreamSettings(
            overlaying: decoder.userInfo[Self.baseKey] as? DreamSettings ?? DreamSettings(), from: decoder)
    }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    var row = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var previous = row[0]
        row[0] = i
        for j in 1...max(b.count, 1) where !b.isEmpty {
            let saved = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = saved
        }
    }
    return row[b.count]
}
