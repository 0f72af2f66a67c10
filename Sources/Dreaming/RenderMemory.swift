import NeuralNet

/// What a render holds at its peak, known before it starts: a photo too large for the
/// memory the process may use is refused at once rather than killed minutes in.
///
/// Per photo pixel, a render keeps float planes of 4 bytes: the decoded photo (3-4,
/// gone once split into luma and chroma), the luma and chroma (3), the octave being
/// dreamed and the detail re-added to it, the ascent's gradient and its shifted input
/// or tile weights, the output's RGB planes and their 8-bit encoding. Everything else
/// is bounded whatever the size: the network's blocks in flight (`blockBudget`), the
/// tile groups, the model's replicas.
public enum RenderMemory {
    /// Peak bytes per photo pixel, measured with /usr/bin/time on 1, 12 and 24 MP photos
    /// and rounded up (see the README's memory table). Downscale mode loops on a copy
    /// within `DreamRenderer.downscalePixelBudget` (that copy fits in `fixedBytes`), so
    /// its peak is the full-size finish: 29.4 bytes per pixel on 24 MP ghost-color.
    static func bytesPerPixel(_ mode: DreamSettings.Mode) -> Int {
        switch mode {
        case .downscale: return 30
        case .tiles, .conv: return 32
        case .mixed: return 36
        }
    }

    /// The process, model replicas, blocks and tiles in flight.
    static let fixedBytes = 200 << 20

    /// A masked render also keeps the decoded photo (up to 4 planes) and the mask for
    /// the final blend.
    static let maskBytesPerPixel = 20

    /// Per photo pixel and network input channel beyond the first: the network's view,
    /// the octave, its detail, the gradient sum and its weights and the shifted input
    /// (six planes) grow with the channels; counted, not measured.
    static let bytesPerExtraChannel = 24

    /// Bytes a render of a `width` x `height` photo needs at its peak, for a network of
    /// `channels` input channels.
    public static func estimate(
        _ settings: DreamSettings, width: Int, height: Int, masked: Bool = false, channels: Int = 1
    ) -> Int {
        let pixels = width.multipliedReportingOverflow(by: height)
        guard !pixels.overflow else { return Int.max }
        let perPixel =
            bytesPerPixel(settings.mode) + (masked ? maskBytesPerPixel : 0) + max(channels - 1, 0)
            * bytesPerExtraChannel
        let (bytes, overflow) = perPixel.multipliedReportingOverflow(by: pixels.partialValue)
        return overflow ? Int.max : fixedBytes + bytes
    }

    /// "1.9 GiB", "300 MiB".
    static func format(_ bytes: Int) -> String {
        let gib = Double(bytes) / Double(1 << 30)
        return gib >= 1 ? String(format: "%.1f GiB", gib) : "\(bytes >> 20) MiB"
    }
}
