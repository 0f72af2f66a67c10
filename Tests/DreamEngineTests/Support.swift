import Foundation
import ImageIO
import NeuralNet

@testable import DreamEngine

/// A fresh copy of the bundled model: a `Sequential` keeps per-call buffers, so tests
/// running in parallel must not share one.
var bundledModel: Sequential { try! ModelFile.decode(bundledModelBytes, path: "bundled").model }
private let bundledModelBytes = [UInt8](try! Data(contentsOf: URL(fileURLWithPath: try! BundledAssets.modelPath())))

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "dream-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A smooth test photo with some structure: gradients and a bright disc.
func syntheticPhoto(width: Int = 96, height: Int = 72, channels: Int = 3) -> Image {
    var image = Image(width: width, height: height, channels: channels)
    for y in 0..<height {
        for x in 0..<width {
            let dx = Float(x - width / 2), dy = Float(y - height / 2)
            let disc: Float = dx * dx + dy * dy < Float(height * height) / 9 ? 0.5 : 0
            for c in 0..<channels {
                image[x, y, c] = min(
                    1, 0.2 + 0.3 * Float(x) / Float(width) + 0.1 * Float(c) * Float(y) / Float(height) + disc)
            }
        }
    }
    return image
}

func maxDifference(_ a: Image, _ b: Image) -> Float {
    zip(a.pixels, b.pixels).map { abs($0 - $1) }.max() ?? 0
}
