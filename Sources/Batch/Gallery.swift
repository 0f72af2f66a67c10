import Dreaming
import FileSupport
import Foundation
import Imaging
import Resampling

/// index.html of a batch folder: thumbnails grouped by preset and by image, each linked
/// to its full picture with the settings on hover. Thumbnails are inlined as data URIs,
/// so the page opens from the file system with no network and no extra files.
public enum Gallery {
    public static let fileName = "index.html"

    public static func html(for manifest: BatchManifest, folder: String, thumbnailHeight: Int = 160) -> String {
        var thumbnails: [String: String] = [:]
        for render in manifest.renders {
            let path = (folder as NSString).appendingPathComponent(render.output)
            guard let image = try? Image(contentsOf: path) else { continue }
            let width = max(1, image.width * thumbnailHeight / max(image.height, 1))
            let small = image.resized(width: width, height: thumbnailHeight)
            if let bytes = try? ImageWriter(jpegQuality: 80).encode(small, as: .jpeg) {
                thumbnails[render.output] = "data:image/jpeg;base64," + Data(bytes).base64EncodedString()
            }
        }
        func card(_ render: BatchManifest.Render, caption: String) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let settings = String(decoding: (try? encoder.encode(render.settings)) ?? Data(), as: UTF8.self)
            let source = thumbnails[render.output] ?? ""
            return """
                <a class="card" href="\(escape(render.output))" title="\(escape(settings))">\
                <img src="\(source)" alt="\(escape(render.output))" height="\(thumbnailHeight)">\
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
            body += renders.sorted { $0.preset < $1.preset }.map { card($0, caption: $0.preset) }.joined()
            body += "</div></section>\n"
        }
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
