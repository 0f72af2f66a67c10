import Animation
import Foundation
import Imaging

/// Writes the renderer's intermediate images as frame-0001.png... (atomically, as they
/// come) and assembles them into an animation at the end.
final class FrameRecorder {
    let folder: String
    private(set) var count = 0
    private var size = (0, 0)
    /// The renderer's hook cannot throw: the first failure is kept and reported at the end.
    private var failure: Error?

    init(folder: String) { self.folder = folder }

    func path(_ number: Int) -> String {
        (folder as NSString).appendingPathComponent(String(format: "frame-%04d.png", number))
    }

    func add(_ image: Image) {
        guard failure == nil else { return }
        do {
            try ImageWriter().write(image, to: path(count + 1))
            count += 1
            size = (image.width, image.height)
        } catch { failure = error }
    }

    func finish(animation: String?, fps: Double, quiet: Bool) throws {
        if let failure { throw failure }
        if !quiet { print("\(count) frames -> \(folder)") }
        guard let animation else { return }
        try AnimationWriter(framesPerSecond: fps).write(count: count, width: size.0, height: size.1, to: animation) {
            try ImageReader().read(contentsOf: self.path($0 + 1))
        }
        if !quiet { print("animation -> \(animation)") }
    }
}
