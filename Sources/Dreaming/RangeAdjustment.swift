import Imaging

/// The value-range step of the recipe, applied after each loop or octave.
enum RangeAdjustment {
    static func apply(_ mode: DreamSettings.RangeMode, to image: inout Image, targetStd: Float) {
        switch mode {
        case .none:
            return
        case .clip:
            for i in image.pixels.indices { image.pixels[i] = min(max(image.pixels[i], 0), 1) }
        case .stretch:
            guard let lo = image.pixels.min(), let hi = image.pixels.max(), hi > lo else { return }
            let scale = 1 / (hi - lo)
            for i in image.pixels.indices { image.pixels[i] = (image.pixels[i] - lo) * scale }
        case .std:
            let (mean, std) = statistics(image.pixels)
            let scale = std > 1e-6 ? targetStd / std : 1
            for i in image.pixels.indices {
                image.pixels[i] = min(max(mean + (image.pixels[i] - mean) * scale, 0), 1)
            }
        }
    }

    static func statistics(_ values: [Float]) -> (mean: Float, std: Float) {
        guard !values.isEmpty else { return (0, 0) }
        var sum = 0.0, squares = 0.0
        for v in values {
            sum += Double(v)
            squares += Double(v) * Double(v)
        }
        let mean = sum / Double(values.count)
        return (Float(mean), Float(max(squares / Double(values.count) - mean * mean, 0).squareRoot()))
    }
}
