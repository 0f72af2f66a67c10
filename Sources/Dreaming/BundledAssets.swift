import Foundation

/// Where the model and presets that ship with dream are found: `$DREAM_HOME`, then
/// `<prefix>/share/dream` beside an installed binary, then the source tree the binary was
/// built from. Nothing is downloaded.
public enum BundledAssets {
    public static let modelName = "mnist-cnn.safetensors"

    public static var searchRoots: [String] {
        var roots: [String] = []
        if let home = ProcessInfo.processInfo.environment["DREAM_HOME"], !home.isEmpty { roots.append(home) }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        roots.append(
            executable.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("share/dream").path)
        // Sources/Dreaming/BundledAssets.swift -> the package root
        roots.append(
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().path)
        return roots
    }

    /// The bundled model file.
    public static func modelPath() throws(DreamError) -> String {
        let candidates = searchRoots.map { ($0 as NSString).appendingPathComponent("models/\(modelName)") }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw .modelNotFound(searched: candidates)
        }
        return found
    }

    /// The bundled presets folder, if any.
    public static func presetsDirectory() -> String? {
        searchRoots.map { ($0 as NSString).appendingPathComponent("presets") }
            .first { FileManager.default.fileExists(atPath: $0) }
    }
}
