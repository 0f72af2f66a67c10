import FileSupport
import Foundation

/// Where the renders of one `dream render` go: one named file, or a folder where each
/// photo gets a name made of its own, the preset's and the objective's.
public struct OutputPlan: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        case file(String)
        case folder(String)
    }

    public static let defaultFolder = "out"

    public let target: Target

    /// `output` is what the user gave with -o: nothing (the default folder), a folder (it
    /// exists or ends in "/"), or a file name, allowed only for a single photo.
    public init(inputs: [String], output: String?) throws(DreamError) {
        guard let output else {
            target = .folder(Self.defaultFolder)
            return
        }
        if output.hasSuffix("/") || Files.isFolder(output) {
            target = .folder(output)
        } else if inputs.count > 1 {
            // Several photos into a name that is not a folder yet: make it one, unless a
            // file is there.
            if FileManager.default.fileExists(atPath: output) { throw .outputMustBeFolder(path: output) }
            target = .folder(output)
        } else {
            target = .file(output)
        }
    }

    /// Creates the folder the outputs go into.
    public func createFolders() throws(FileError) {
        switch target {
        case .folder(let folder): try Files.createFolder(folder)
        case .file(let file): try Files.createFolder(containing: file)
        }
    }

    /// The output path for one input.
    public func output(for input: String, preset: String, settings: DreamSettings) -> String {
        switch target {
        case .file(let file):
            return file
        case .folder(let folder):
            return (folder as NSString).appendingPathComponent(
                FileRenderer.defaultOutputName(input: input, preset: preset, settings: settings))
        }
    }

    /// Where the strip of stages goes beside an output: OUT-stages.png.
    public static func stagesPath(for output: String) -> String {
        (output as NSString).deletingPathExtension + "-stages.png"
    }
}
