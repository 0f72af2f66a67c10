import Foundation

/// The animation containers dream writes, chosen by the output's extension.
public enum AnimationFormat: String, Sendable, CaseIterable {
    case webp
    case gif
    case mp4

    public init?(pathExtension path: String) {
        let ext = (path as NSString).pathExtension.lowercased()
        self.init(rawValue: ext)
    }
}
