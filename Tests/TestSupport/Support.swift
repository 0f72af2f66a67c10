import Dreaming
import Foundation
import Imaging
import NeuralNet

// Helpers shared by every test target. Public API only: this is a plain library target
// (built in release too), so it cannot use `@testable import`.

/// A fresh copy of the bundled model: a `Sequential` keeps per-call buffers, so tests
/// running in parallel must not share one.
public func bundledModel() throws -> Sequential {
    try ModelFile.decode(try bundledModelBytes.get(), path: "bundled").model
}

private let bundledModelBytes = Result { () throws -> [UInt8] in
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: try BundledAssets.modelPath())))
}

/// The repository's root folder (this file is Tests/TestSupport/Support.swift).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// A new empty folder under the system's temporary folder.
public func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "dream-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A prerequisite a test cannot run without; thrown, the test fails with this message.
public struct MissingPrerequisite: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// The debug `dream` binary that `swift test` builds beside the tests; a test that needs
/// it fails (never skips) when it is missing.
public func dreamBinary() throws -> String {
    let path = repositoryRoot + "/.build/debug/dream"
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw MissingPrerequisite(description: "\(path) is missing; run 'swift build' before the tests")
    }
    return path
}

/// A smooth test photo with some structure: gradients and a bright disc.
public func syntheticPhoto(width: Int = 96, height: Int = 72, channels: Int = 3) -> Image {
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

/// The largest per-sample difference of two images of the same size.
public func maxDifference(_ a: Image, _ b: Image) -> Float {
    zip(a.pixels, b.pixels).map { abs($0 - $1) }.max() ?? 0
}
