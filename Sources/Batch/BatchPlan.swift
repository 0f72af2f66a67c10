import Dreaming
import Foundation
import Imaging

/// The work of a batch: every image with every preset, in a fixed order, so that shards
/// of it are the same on every machine.
public struct BatchPlan: Sendable {
    public struct Job: Sendable, Equatable {
        public var input: String
        public var preset: String
        public var settings: DreamSettings
        /// File name inside the output folder: IMAGE-PRESET.png
        public var outputName: String
    }

    public var jobs: [Job]
    /// Presets that could not be read, with their errors: reported, and their jobs skipped.
    public var presetFailures: [(preset: String, error: String)]

    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Image files under `inputs` (files or folders; subfolders with `recursive`), sorted.
    /// Names relative to their folder keep outputs from different subfolders apart.
    public static func images(in inputs: [String], recursive: Bool) throws(DreamError) -> [(path: String, name: String)]
    {
        var found: [(String, String)] = []
        let manager = FileManager.default
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: input, isDirectory: &isDirectory) else {
                throw .invalidSetting(key: "input", problem: "\(input): no such file or folder")
            }
            if !isDirectory.boolValue {
                found.append((input, URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent))
                continue
            }
            let entries: [String]
            if recursive {
                entries = (manager.enumerator(atPath: input)?.allObjects as? [String]) ?? []
            } else {
                entries = (try? manager.contentsOfDirectory(atPath: input)) ?? []
            }
            for entry in entries.sorted()
            where imageExtensions.contains(URL(fileURLWithPath: entry).pathExtension.lowercased()) {
                // As the user wrote the folder: relative paths stay relative in manifests.
                let path = (input as NSString).appendingPathComponent(entry)
                let stem = (entry as NSString).deletingPathExtension.replacingOccurrences(of: "/", with: "_")
                found.append((path, stem))
            }
        }
        return found.sorted { $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 < $1.1 }
    }

    /// Every image under `inputs` with every preset of `library` (or only `presetNames`),
    /// leaving out images inside `outputFolder` (earlier renders are not inputs).
    public static func make(
        inputs: [String], recursive: Bool, library: PresetLibrary, presetNames: [String]? = nil,
        outputFolder: String
    ) throws(DreamError) -> BatchPlan {
        let names = presetNames ?? library.names()
        guard !names.isEmpty else {
            throw .invalidSetting(
                key: "presets", problem: "no presets found in \(library.directories.joined(separator: ", "))")
        }
        let outFolder = URL(fileURLWithPath: outputFolder).standardizedFileURL.path
        let found = try images(in: inputs, recursive: recursive)
            .filter { !URL(fileURLWithPath: $0.path).standardizedFileURL.path.hasPrefix(outFolder + "/") }
        let presets = names.map { name in Result { () throws(DreamError) in try library.load(name) } }
        return BatchPlan(images: found, presets: presets, presetNames: names)
    }

    public init(images: [(path: String, name: String)], presets: [Result<Preset, DreamError>], presetNames: [String]) {
        var jobs: [Job] = []
        var failures: [(String, String)] = []
        var good: [Preset] = []
        for (name, result) in zip(presetNames, presets) {
            switch result {
            case .success(let preset): good.append(preset)
            case .failure(let error): failures.append((name, error.errorDescription ?? "\(error)"))
            }
        }
        for image in images {
            for preset in good.sorted(by: { $0.name < $1.name }) {
                jobs.append(
                    Job(
                        input: image.path, preset: preset.name, settings: preset.settings,
                        outputName: "\(image.name)-\(preset.name).png"))
            }
        }
        self.jobs = jobs
        self.presetFailures = failures
    }

    /// The K-th (1-based) of N deterministic slices: every N-th job from the K-th.
    public func shard(_ k: Int, of n: Int) -> BatchPlan {
        var copy = self
        copy.jobs = jobs.enumerated().filter { $0.offset % n == k - 1 }.map(\.element)
        return copy
    }
}
