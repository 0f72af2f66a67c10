import Imaging
import NeuralNet
import Resampling

/// `noise:WxH` (or `noise:N` for a square) in place of a photo: smooth gray noise to dream
/// a texture on, drawn from the settings' seed. For seamless settings the noise itself
/// wraps around (its coarse fields are upscaled with wrapping edges), so nothing but the
/// dream decides what meets at the borders.
public enum NoiseInput {
    public static let prefix = "noise:"

    /// The size a `noise:` input asks for; nil for anything else (a file path), and for
    /// sides outside `sides`.
    public static func size(of input: String) -> (width: Int, height: Int)? {
        guard input.hasPrefix(prefix) else { return nil }
        let parts = input.dropFirst(prefix.count).split(separator: "x", omittingEmptySubsequences: false)
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == parts.count, numbers.count == 1 || numbers.count == 2,
            numbers.allSatisfy(SettingsRanges.noiseSide.contains)
        else { return nil }
        return (numbers[0], numbers.last!)
    }

    /// A file name for the input: "noise-512x512".
    public static func name(of input: String) -> String? {
        size(of: input).map { "noise-\($0.width)x\($0.height)" }
    }

    /// Gray noise around 0.5: random fields with features of 4, 8, 16 and 32 pixels.
    public static func image(width: Int, height: Int, seed: UInt64, seamless: Bool) -> Image {
        var generator = SeededGenerator(seed: seed)
        let resampler = Resampler(kernel: .bicubic, edge: seamless ? .wrap : .renormalize)
        var field = Image(width: width, height: height, value: 0.5)
        for scale in [4, 8, 16, 32] {
            let w = max(2, width / scale), h = max(2, height / scale)
            let coarse = Image(
                width: w, height: h, pixels: (0..<(w * h)).map { _ in Float.random(in: -1...1, using: &generator) })
            let smooth = resampler.resample(coarse, width: width, height: height)
            for i in field.pixels.indices { field.pixels[i] += 0.12 * smooth.pixels[i] }
        }
        field.clamp()
        return field
    }
}
