import Dreaming
import FileSupport
import Foundation
import Imaging
import Resampling

/// index.html of a batch folder: thumbnails grouped by preset and by image, each linked
/// to its full picture with the settings on hover, the original photo beside each render.
/// Thumbnails are inlined as data URIs (each original once, in the style sheet), so the
/// page opens from the file system with no network and no extra files.
public enum Gallery {
    public static let fileName = "index.html"

    /// A thumbnail as a JPEG data URI with its size: `height` pixels high and at most four
    /// times as wide, whatever the picture's proportions.
    struct Thumbnail {
        var uri: String
        var width: Int
        var height: Int
    }

    static func thumbnail(_ image: Image, height: Int) -> Thumbnail? {
        let height = min(height, max(image.height, 1))
        let width = min(4 * height, max(1, image.width * height / max(image.height, 1)))
        let small = image.resized(width: width, height: height)
        guard let bytes = try? ImageWriter(jpegQuality: 80).encode(small, as: .jpeg) else { return nil }
        return Thumbnail(
            uri: "data:image/jpeg;base64," + Data(bytes).base64EncodedString(), width: width, height: height)
    }

    public static func html(for manifest: BatchManifest, folder: String, thumbnailHeight: Int = 160) -> String {
        var thumbnails: [String: String] = [:]
        for render in manifest.renders {
            let path = (folder as NSString).appendingPathComponent(render.output)
            if let image = try? Image(contentsOf: path), let small = thumbnail(image, height: thumbnailHeight) {
                thumbnails[render.output] = small.uri
            }
        }
        // Originals, read where the manifest says: the input as given, else its absolute
        // path (a gallery rebuilt from another folder); one moved away shows a placeholder.
        let sources = Dictionary(manifest.renders.map { ($0.input, $0.source) }, uniquingKeysWith: { $0 ?? $1 })
        var originals: [String: (index: Int, thumbnail: Thumbnail)] = [:]
        for (index, input) in sources.keys.sorted().enumerated() {
            let image =
                (try? ImageReader().read(contentsOf: input))
                ?? sources[input]!.flatMap {
                    try? ImageReader().read(contentsOf: $0)
                }
            if let image, let small = thumbnail(image, height: thumbnailHeight) { originals[input] = (index, small) }
        }
        let pairHeight = max(1, thumbnailHeight / 3)
        func original(_ input: String, height: Int) -> String {
            guard let (index, small) = originals[input] else {
                return "<span class=\"original missing\" style=\"height:\(height)px\">original not found</span>"
            }
            let width = max(1, small.width * height / small.height)
            return """
                <span class="original o\(index)" role="img" aria-label="original: \(escape(input))" \
                title="original: \(escape(input))" style="width:\(width)px;height:\(height)px"></span>
                """
        }
        func card(_ render: BatchManifest.Render, caption: String) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let settings = String(decoding: (try? encoder.encode(render.settings)) ?? Data(), as: UTF8.self)
            let source = thumbnails[render.output] ?? ""
            return """
                <a class="card" href="\(escape(render.output))" title="\(escape(settings))">\
                <span class="pair">\(original(render.input, height: pairHeight))\
                <img src="\(source)" alt="\(escape(render.output))" height="\(thumbnailHeight)"></span>\
                <span>\(escape(caption))</span></a>
                """
        }
        let byPreset = Dictionary(grouping: manifest.renders, by: \.preset).sorted { $0.key < $1.key }
        let byImage = Dictionary(grouping: manifest.renders, by: \.input).sorted { $0.key < $1.key }
        var body = "<h1>dream batch: \(manifest.renders.count) renders</h1>\n"
        if !manifest.failures.isEmpty {
            body +=
                "<h2>Failed</h2><ul>"
                + manifest.failures.map {
                    "<li>\(escape($0.input)) with \(escape($0.preset)): \(escape($0.error))</li>"
                }.joined() + "</ul>\n"
        }
        body += "<h2>By preset</h2>\n"
        for (preset, renders) in byPreset {
            let description = renders.first?.settings.description ?? ""
            body += "<section><h3>\(escape(preset)) <small>\(escape(description))</small></h3><div class=\"row\">"
            body += renders.map { card($0, caption: URL(fileURLWithPath: $0.input).lastPathComponent) }.joined()
            body += "</div></section>\n"
        }
        body += "<h2>By image</h2>\n"
        for (input, renders) in byImage {
            body += "<section><h3>\(escape(input))</h3><div class=\"row\">"
            body += "<div class=\"card\">\(original(input, height: thumbnailHeight))<span>original</span></div>"
            body += renders.sorted { $0.preset < $1.preset }.map { card($0, caption: $0.preset) }.joined()
            body += "</div></section>\n"
        }
        let originalStyles = originals.sorted { $0.value.index < $1.value.index }.map {
            ".o\($0.value.index) { background-image: url(\($0.value.thumbnail.uri)); }"
        }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>dream batch</title>
            <style>
            body { font-family: sans-serif; background: #111; color: #ddd; margin: 1.5em; }
            h3 small { color: #999; font-weight: normal; }
            .row { display: flex; flex-wrap: wrap; gap: 10px; }
            .card { display: flex; flex-direction: column; color: #ccc; text-decoration: none; font-size: 13px; }
            .card img { border: 1px solid #333; }
            .card:hover img { border-color: #fc6; }
            .pair { display: flex; align-items: flex-end; gap: 4px; }
            .original { display: inline-block; background-size: 100% 100%; border: 1px solid #333; }
            .original.missing { color: #777; font-size: 11px; width: 5em; }
            \(originalStyles)
            </style></head><body>
            \(body)</body></html>

            """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    public static func write(_ manifest: BatchManifest, folder: String) throws(FileError) {
        let html = html(for: manifest, folder: folder)
        try Files.write(Array(html.utf8), to: (folder as NSString).appendingPathComponent(fileName))
    }
}
