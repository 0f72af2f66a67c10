import Foundation
import Imaging

/// The value-range step of the recipe, applied after each loop or octave.
enum RangeAdjustment {
    /// How far `soft` lets the dream go: the photo's own darkest and brightest values
    /// (0.5th and 99.5th percentiles) widened by `margin`, never reaching 0 or 1 in 8 bits.
    struct Limits: Equatable {
        var low: Float
        var high: Float

        /// Widening beyond the photo's own range: enough for a bright ghost on a dark photo,
        /// not enough to turn a night sky white.
        static let margin: Float = 0.12
        /// 0.6/255 from either end: a value inside rounds to 1...254 in 8 bits.
        static let floor: Float = 0.6 / 255

        init(low: Float, high: Float) {
            self.low = low
            self.high = high
        }

        init(photo: Image) {
            let (p0, p1) = RangeAdjustment.percentiles(photo.pixels, 0.005, 0.995)
            low = max(Self.floor, p0 - Self.margin)
            high = min(1 - Self.floor, p1 + Self.margin)
        }
    }

    /// `workers` threads share the per-pixel work of `soft` (the result does not depend on it).
    static func apply(
        _ mode: DreamSettings.RangeMode, to image: inout Image, targetStd: Float, reference: Image? = nil,
        limits: Limits? = nil, workers: Int = 1
    ) {
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
        case .soft:
            guard let reference else { return }
            soft(&image, reference: reference, limits: limits ?? Limits(photo: reference), workers: workers)
        }
    }

    /// Keeps the reference's mean and rolls the change off before the limits: a change
    /// up to half the headroom passes unchanged, beyond it bends (tanh) towards the
    /// limit without reaching it. A pixel already beyond a limit is not pushed further.
    /// With no change the image stays as it is. The change is first scaled by `factor`
    /// (strength calibration). The mean-keeping shift is solved on a sample and checked on
    /// every pixel (`SoftKnee`): the result does not depend on `workers`.
    static func soft(_ image: inout Image, reference: Image, limits: Limits, factor: Float = 1, workers: Int = 1) {
        precondition(image.pixels.count == reference.pixels.count)
        guard !image.pixels.isEmpty else { return }
        let knee = SoftKnee(limits: limits, workers: workers)
        image.pixels.withUnsafeMutableBufferPointer { values in
            reference.pixels.withUnsafeBufferPointer { reference in
                let shift = knee.shift(values: UnsafeBufferPointer(values), reference: reference, factor: factor)
                knee.apply(shift: shift, to: values, reference: reference, factor: factor)
            }
        }
    }

    /// Mean and standard deviation in one pass, summed in fixed chunks: the same on any `workers`.
    static func statistics(_ values: [Float], workers: Int = 1) -> (mean: Float, std: Float) {
        guard !values.isEmpty else { return (0, 0) }
        let count = values.count, chunk = Bands.minimumItems
        let chunks = (count + chunk - 1) / chunk
        var partial = [(sum: Double, squares: Double)](repeating: (0, 0), count: chunks)
        values.withUnsafeBufferPointer { values in
            partial.withUnsafeMutableBufferPointer { partial in
                Bands.run(chunks, workers: workers, minimum: 1) { range in
                    for c in range {
                        var sum = 0.0, squares = 0.0
                        for i in (c * chunk)..<min(count, (c + 1) * chunk) {
                            let v = Double(values[i])
                            sum += v
                            squares += v * v
                        }
                        partial[c] = (sum, squares)
                    }
                }
            }
        }
        let sum = partial.reduce(0) { $0 + $1.sum }, squares = partial.reduce(0) { $0 + $1.squares }
        let mean = sum / Double(count)
        return (Float(mean), Float(max(squares / Double(count) - mean * mean, 0).squareRoot()))
    }

    /// Two quantiles (0...1) from an evenly strided sample of at most 65,536 values.
    static func percentiles(_ values: [Float], _ a: Double, _ b: Double) -> (Float, Float) {
        guard !values.isEmpty else { return (0, 1) }
        let stride = max(1, values.count / 65_536)
        let sample = Swift.stride(from: 0, to: values.count, by: stride).map { values[$0] }.sorted()
        func at(_ q: Double) -> Float { sample[min(sample.count - 1, Int(q * Double(sample.count - 1) + 0.5))] }
        return (at(a), at(b))
    }
}
