/// The size of a picture drawn from a `width` x `height` one to fit a box: the aspect kept
/// as closely as whole pixels allow, each side between 1 and the box's. Every derived
/// picture (thumbnail, strip panel) is sized by it, so that a 400000x1 photo cannot ask
/// for a 64-million-pixel-wide thumbnail.
public struct FittedSize: Equatable, Sendable {
    public let width: Int
    public let height: Int

    public init(width: Int, height: Int, maxWidth: Int, maxHeight: Int) {
        let (w, h) = (Double(max(width, 1)), Double(max(height, 1)))
        let (boxW, boxH) = (max(maxWidth, 1), max(maxHeight, 1))
        let scale = min(Double(boxW) / w, Double(boxH) / h)
        self.width = min(boxW, max(1, Int((w * scale).rounded())))
        self.height = min(boxH, max(1, Int((h * scale).rounded())))
    }
}
