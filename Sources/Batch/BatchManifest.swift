import Dreaming
import FileSupport
import Foundation
import Imaging

/// manifest.json of a batch folder: for every render what is needed to reproduce it.
public struct BatchManifest: Codable, Sendable, Equatable {
    public struct Render: Codable, Sendable, Equatable {
        public var input: String
        public var preset: String
        public var settings: DreamSettings
        public var seed: UInt64
        public var seconds: Double
        public var output: String
        /// The input's absolute path (symlinks resolved): tells a later run that this output
        /// came from another photo with the same name. Absent in older manifests.
        public var source: String?
        /// The mask the render used and its `DreamMask.fingerprint` (absent: none).
        public var mask: String?
        public var maskFingerprint: String?
        /// Anything a reader should know, e.g. that the mask folder held no mask for the image.
        public var note: String?

        public init(
            input: String, preset: String, settings: DreamSettings, seed: UInt64, seconds: Double, output: String,
            source: String? = nil, mask: String? = nil, maskFingerprint: String? = nil, note: String? = nil
        ) {
            self.input = input
            self.preset = preset
            self.settings = settings
            self.seed = seed
            self.seconds = seconds
            self.output = output
            self.source = source
            self.mask = mask
            self.maskFingerprint = maskFingerprint
            self.note = note
        }
    }

    public struct Failure: Codable, Sendable, Equatable {
        public var input: String
        public var preset: String
        public var error: String
    }

    public var version = 1
    public var renders: [Render]
    public var failures: [Failure]

    public init(renders: [Render], failures: [Failure]) {
        self.renders = renders.sorted { $0.output < $1.output }
        self.failures = failures.sorted { ($0.input, $0.preset) < ($1.input, $1.preset) }
    }

    public static let fileName = "manifest.json"

    public static func shardFileName(_ k: Int, of n: Int) -> String { "manifest-shard-\(k)-of-\(n).json" }

    /// The manifest at `path`, or nil when there is none; a file that is not a manifest
    /// throws rather than being replaced by an empty one.
    public static func read(_ path: String) throws(BatchError) -> BatchManifest? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do {
            data = Data(try Files.read(path))
        } catch {
            throw .manifestUnreadable(path: path, reason: "cannot read the file: \(error.reason)")
        }
        do {
            return try JSONDecoder().decode(BatchManifest.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw .manifestUnreadable(path: path, reason: context.debugDescription)
        } catch let DecodingError.keyNotFound(key, _) {
            throw .manifestUnreadable(path: path, reason: "no key '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw .manifestUnreadable(path: path, reason: "key '\(key)': \(context.debugDescription)")
        } catch {
            throw .manifestUnreadable(path: path, reason: "\(error)")
        }
    }

    /// The absolute path, symlinks resolved, that `Render.source` records for `input`.
    public static func source(of input: String) -> String {
        URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path
    }

    public func write(to path: String) throws(FileError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes: Data
        do {
            bytes = try encoder.encode(self)
        } catch {
            // Only a non-finite number can get here; say so rather than write half a file.
            throw .writeFailed(path: path, reason: "cannot encode the manifest: \(error)")
        }
        try Files.write([UInt8](bytes), to: path)
    }

    /// Entries of `self` overridden by `newer` (same output), dropping renders whose file
    /// is gone.
    public func merged(with newer: BatchManifest, folder: String) -> BatchManifest {
        var byOutput: [String: Render] = [:]
        for render in renders + newer.renders { byOutput[render.output] = render }
        let existing = byOutput.values.filter {
            FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent($0.output))
        }
        let rendered = Set(existing.map { "\($0.input)\u{0}\($0.preset)" })
        var failuresByKey: [String: Failure] = [:]
        for failure in failures + newer.failures where !rendered.contains("\(failure.input)\u{0}\(failure.preset)") {
            failuresByKey["\(failure.input)\u{0}\(failure.preset)"] = failure
        }
        return BatchManifest(renders: Array(existing), failures: Array(failuresByKey.values))
    }
}
