import Foundation

/// Finds presets by name: `./presets` first, then the presets shipped with dream; a
/// name ending in `.json` (or holding a `/`) is a path.
public struct PresetLibrary: Sendable {
    /// The preset a render uses when none is named: the seed's recipe.
    public static let defaultPreset = "ghost"

    public var directories: [String]
    /// Every folder looked in, existing or not, for "not found" messages.
    public var searched: [String]

    public init(directories: [String]? = nil) {
        self.directories = directories ?? BundledAssets.presetsDirectories()
        let local = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent("presets")
        searched = directories ?? ([local] + BundledAssets.candidates("presets").filter { $0 != local })
    }

    public func load(_ nameOrPath: String, base: DreamSettings = DreamSettings()) throws(DreamError) -> Preset {
        if nameOrPath.hasSuffix(".json") || nameOrPath.contains("/") {
            return try Preset(contentsOf: nameOrPath, base: base)
        }
        for directory in directories {
            let path = (directory as NSString).appendingPathComponent(nameOrPath + ".json")
            if FileManager.default.fileExists(atPath: path) { return try Preset(contentsOf: path, base: base) }
        }
        throw .presetNotFound(name: nameOrPath, searched: searched, available: names())
    }

    /// Names of all presets, the first directory winning on duplicates.
    public func names() -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for directory in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for file in files.sorted() where file.hasSuffix(".json") {
                let name = String(file.dropLast(5))
                if seen.insert(name).inserted { result.append(name) }
            }
        }
        return result
    }

    /// Every preset that loads, and the errors of those that do not.
    public func all() -> [Result<Preset, DreamError>] {
        names().map { name in Result { () throws(DreamError) in try load(name) } }
    }
}
