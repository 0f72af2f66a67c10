import Dreaming
import FileSupport
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
        /// The image's mask (MASKS/IMAGE.png), when a mask folder is given and holds one.
        public var mask: String?
        /// The mask's `DreamMask.fingerprint` when the plan was made: an output made with
        /// another one (or none) is rendered again.
        public var maskFingerprint: String?
        /// With a mask folder that holds no mask for the image: the path looked for. The
        /// image is dreamed whole and the manifest says so.
        public var missingMask: String?
    }

    public var jobs: [Job]
    /// Presets that could not be read, with their errors: reported, and their jobs skipped.
    public var presetFailures: [(preset: String, error: String)]

    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Image files under `inputs` (files or folders; subfolders with `recursive`), each
    /// once, sorted by name, leaving out files under `excluding` (the output folder when it
    /// sits in an input folder). Names follow `BatchNaming`: distinct, so outputs never
    /// collide; two photos it cannot tell apart throw `BatchError.outputCollision`.
    public static func images(in inputs: [String], recursive: Bool, excluding: String? = nil) throws
        -> [(path: String, name: String)]
    {
        var found: [BatchNaming.Photo] = []
        let manager = FileManager.default
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: input, isDirectory: &isDirectory) else {
                throw DreamError.invalidSetting(key: "input", problem: "\(input): no such file or folder")
            }
            if !isDirectory.boolValue {
                found.append(BatchNaming.Photo(file: input))
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
                var entryIsFolder: ObjCBool = false
                guard manager.fileExists(atPath: path, isDirectory: &entryIsFolder), !entryIsFolder.boolValue else {
                    continue
                }
                let stem = (entry as NSString).deletingPathExtension.replacingOccurrences(of: "/", with: "_")
                found.append(BatchNaming.Photo(path: path, name: stem, depth: entry.split(separator: "/").count))
            }
        }
        if let excluding {
            let folder = BatchNaming.absolute(excluding) + "/"
            found.removeAll { BatchNaming.absolute($0.path).hasPrefix(folder) }
        }
        return try BatchNaming.distinctNames(found).map { ($0.path, $0.name) }.sorted {
            $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 < $1.1
        }
    }

    /// Every image under `inputs` with every preset of `library` (or only `presetNames`),
    /// leaving out images inside `outputFolder` (earlier renders are not inputs).
    public static func make(
        inputs: [String], recursive: Bool, library: PresetLibrary, presetNames: [String]? = nil,
        outputFolder: String, masks: String? = nil
    ) throws -> BatchPlan {
        let names = presetNames ?? library.names()
        guard !names.isEmpty else {
            throw DreamError.invalidSetting(
                key: "presets", problem: "no presets found in \(library.directories.joined(separator: ", "))")
        }
        if let masks, !Files.isFolder(masks) {
            throw DreamError.invalidSetting(
                key: "masks", problem: "\(masks) is not a folder; give the folder that holds NAME.png for each image")
        }
        let found = try images(in: inputs, recursive: recursive, excluding: outputFolder)
        let presets = names.map { name in Result { () throws(DreamError) in try library.load(name) } }
        return try BatchPlan(images: found, presets: presets, presetNames: names, masks: masks)
    }

    /// Every image with every readable preset. Throws, before anything renders, when two
    /// jobs would write the same output (a name like `a-x` with preset `y` meets `a` with
    /// preset `x-y`). With `masks`, a folder, image NAME gets the mask MASKS/NAME.png if there is one and
    /// is dreamed whole (noted in the manifest) if not.
    public init(
        images: [(path: String, name: String)], presets: [Result<Preset, DreamError>], presetNames: [String],
        masks: String? = nil
    ) throws(BatchError) {
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
            let maskPath = masks.map { ($0 as NSString).appendingPathComponent(image.name + ".png") }
            // A mask that is there but unreadable fails its renders with a message naming it.
            let found = maskPath.map { FileManager.default.fileExists(atPath: $0) } ?? false
            let fingerprint = maskPath.flatMap(DreamMask.fingerprint(ofFile:))
            for preset in good.sorted(by: { $0.name < $1.name }) {
                jobs.append(
                    Job(
                        input: image.path, preset: preset.name, settings: preset.settings,
                        outputName: "\(image.name)-\(preset.name).png", mask: found ? maskPath : nil,
                        maskFingerprint: fingerprint, missingMask: found ? nil : maskPath))
            }
        }
        try BatchNaming.refuseRepeats(jobs.map { ($0.input, $0.outputName) })
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
