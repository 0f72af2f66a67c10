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
        var settings = try Self.decode(data, path: path, base: base)
        // A preset's guide photo sits beside the preset, wherever dream runs from.
        if let guide = settings.guide, guide != base.guide, !DreamGuide.isDataReference(guide), !guide.hasPrefix("/") {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty { settings.guide = (folder as NSString).appendingPathComponent(guide) }
        }
        self.settings = settings
    }

    /// Settings from a preset's JSON (or a render's embedded settings) over `base`:
    /// duplicate keys, unknown keys, wrong types and values out of range are refused with
    /// the key and the problem.
    static func decode(_ data: Data, path: String, base: DreamSettings) throws(DreamError) -> DreamSettings {
        let settings: DreamSettings
        do throws(JSONError) {
            let json = try JSONValue.parse([UInt8](data))
            guard case .object = json else {
                throw JSONError.wrongType(path: "(file)", expected: "a JSON object of settings", found: json.found)
            }
            settings = try DreamSettings(overlaying: base, json: json)
        } catch {
            throw .presetInvalid(path: path, key: error.path, problem: error.problem)
        }
        if let (key, problem) = settings.problems().first {
            throw .presetInvalid(path: path, key: key, problem: problem)
        }
        return settings
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
