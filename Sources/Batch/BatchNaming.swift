import Dreaming
import Foundation

/// Output names for several photos that cannot collide, decided before anything renders.
///
/// The scheme, deterministic and the same for `dream batch` and `dream a.jpg b.jpg -o dir/`:
/// 1. A photo's name is its file name without the extension (`photo.jpg` -> `photo`);
///    photos found in subfolders of an input folder keep that relative folder, joined
///    with `_` (`sub/c.png` -> `sub_c`). Simple cases stay `photo-PRESET.png`.
/// 2. Photos whose names are equal, ignoring case (macOS folders ignore it), keep their
///    extensions: `photo.jpg` and `photo.png` -> `photo.jpg-PRESET.png`, `photo.png-PRESET.png`.
/// 3. If still equal, each takes its enclosing folders one at a time until all differ:
///    `a/photo.jpg`, `b/photo.jpg` -> `a_photo.jpg-PRESET.png`, `b_photo.jpg-PRESET.png`.
/// 4. Photos that no folder tells apart (names that differ only by case in one folder) or
///    a longer name that meets another photo's name are refused, naming both inputs.
/// The same file given twice (also through a folder and a file in it) is rendered once.
public enum BatchNaming {
    /// A photo to name: `name` is step 1's name; `depth` how many path components it covers
    /// (1 for a file, 2 for `sub/c.png` under an input folder).
    public struct Photo: Sendable, Equatable {
        public var path: String
        public var name: String
        public var depth: Int

        public init(path: String, name: String, depth: Int = 1) {
            self.path = path
            self.name = name
            self.depth = max(1, depth)
        }

        /// A file given on its own: named after its stem.
        public init(file: String) {
            self.init(
                path: file,
                name: NoiseInput.name(of: file) ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)
        }
    }

    /// The photos without repeats of one file (first occurrence kept, compared by their
    /// absolute standardized paths), named so that no two names are equal ignoring case.
    /// `output` turns a name into the file it would write, for the refusal's message.
    public static func distinctNames(_ photos: [Photo], output: (String) -> String = { "\($0)-PRESET.png" })
        throws(BatchError) -> [Photo]
    {
        var seen = Set<String>()
        let unique = photos.filter { seen.insert(absolute($0.path)).inserted }
        var named = unique
        let groups = Dictionary(grouping: unique.indices, by: { unique[$0].name.lowercased() })
        for (_, members) in groups.sorted(by: { $0.key < $1.key }) where members.count > 1 {
            // Each member takes one more enclosing folder per round until its name is its own.
            let components = Dictionary(
                uniqueKeysWithValues: members.map {
                    ($0, Array(URL(fileURLWithPath: absolute(unique[$0].path)).pathComponents.dropFirst()))
                })
            var unresolved = members
            var extra = 0
            while !unresolved.isEmpty {
                let labels = unresolved.map { components[$0]!.suffix(unique[$0].depth + extra).joined(separator: "_") }
                let counts = Dictionary(labels.map { ($0.lowercased(), 1) }, uniquingKeysWith: +)
                if labels.allSatisfy({ counts[$0.lowercased()]! > 1 })
                    && unresolved.allSatisfy({ unique[$0].depth + extra >= components[$0]!.count })
                {
                    let pair = unresolved.prefix(2).map { unique[$0].path }
                    throw .outputCollision(first: pair[0], second: pair[1], output: output(unique[members[0]].name))
                }
                for (member, label) in zip(unresolved, labels) where counts[label.lowercased()] == 1 {
                    named[member].name = label
                }
                unresolved = zip(unresolved, labels).filter { counts[$0.1.lowercased()]! > 1 }.map(\.0)
                extra += 1
            }
        }
        try refuseRepeats(named.map { ($0.path, $0.name) }, output: output)
        return named
    }

    /// Throws for the first two entries whose names are equal ignoring case; `output`
    /// names what both would write.
    static func refuseRepeats(_ entries: [(input: String, name: String)], output: (String) -> String = { $0 })
        throws(BatchError)
    {
        var first: [String: String] = [:]
        for entry in entries {
            let key = entry.name.lowercased()
            if let earlier = first[key] {
                throw .outputCollision(first: earlier, second: entry.input, output: output(entry.name))
            }
            first[key] = entry.input
        }
    }

    /// Output file names for `dream a.jpg b.jpg -o dir/`: the render's default name
    /// (`NAME-PRESET-mMAP.png`) with NAME chosen by the scheme above. Repeated files are
    /// dropped; the result pairs each photo with its name.
    public static func renderOutputs(files: [String], preset: String, settings: DreamSettings) throws(BatchError)
        -> [(input: String, output: String)]
    {
        // What follows the photo's name: the same for every photo (preset and objective).
        let example = FileRenderer.defaultOutputName(input: "x.png", preset: preset, settings: settings)
        let rest = example.hasPrefix("x") ? String(example.dropFirst()) : "-" + example
        return try distinctNames(files.map(Photo.init(file:)), output: { $0 + rest }).map { ($0.path, $0.name + rest) }
    }

    static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
}
