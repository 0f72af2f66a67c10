import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

@testable import Dreaming

/// The fast soft range step (`SoftKnee`) against Foundation's tanh and the exact
/// implementation it replaced (every pixel in every secant step, libm tanh).
@Suite struct SoftKneeTests {
    /// The knee with Foundation's tanh, in Double: what `SoftKnee.knee` must match.
    static func exactKnee(_ d: Float, _ r: Float, _ limits: RangeAdjustment.Limits) -> Float {
        let room = d > 0 ? limits.high - r : r - limits.low
        guard room > 0 else { return 0 }
        let magnitude = abs(d), bend = 0.5 * room
        if magnitude <= bend { return d }
        let rolled = bend + (room - bend) * Float(Foundation.tanh(Double((magnitude - bend) / (room - bend))))
        return d > 0 ? rolled : -rolled
    }

    /// The soft step as it was: the shift solved by secant steps over every pixel.
    static func exactSoft(_ image: inout Image, reference: Image, limits: RangeAdjustment.Limits) {
        let delta = zip(image.pixels, reference.pixels).map { $0 - $1 }
        func meanAfter(_ shift: Float) -> Float {
            var sum = 0.0
            for i in delta.indices { sum += Double(exactKnee(delta[i] + shift, reference.pixels[i], limits)) }
            return Float(sum / Double(delta.count))
        }
        var s0 = -Float(delta.reduce(0.0) { $0 + Double($1) } / Double(delta.count))
        var e0 = meanAfter(s0)
        if abs(e0) > 1e-4 {
            var s1 = s0 - e0
            var e1 = meanAfter(s1)
            for _ in 0..<6 where abs(e1) > 1e-4 && e1 != e0 {
                let next = s1 - e1 * (s1 - s0) / (e1 - e0)
                (s0, e0, s1) = (s1, e1, next)
                e1 = meanAfter(s1)
            }
            if abs(e1) < abs(e0) { (s0, e0) = (s1, e1) }
        }
        for i in delta.indices {
            image.pixels[i] = reference.pixels[i] + exactKnee(delta[i] + s0, reference.pixels[i], limits)
        }
    }

    static func mean(_ values: [Float]) -> Double { values.reduce(0.0) { $0 + Double($1) } / Double(values.count) }

    @Test func tanhMatchesFoundationEverywhere() {
        var worst = 0.0, worstRelative = 0.0
        func check(_ x: Float) {
            let exact = Foundation.tanh(Double(x)), fast = Double(SoftKnee.tanh(x))
            worst = max(worst, abs(fast - exact))
            if abs(x) < 0.625, x != 0 { worstRelative = max(worstRelative, abs(fast - exact) / abs(exact)) }
        }
        // Dense over the range where tanh moves, both signs, both branches and their seam.
        for i in -400_000...400_000 { check(Float(i) * 5e-5) }
        for i in -2000...2000 { check(0.625 + Float(i) * 1e-7) }
        // Tiny, large and extreme inputs.
        var x: Float = 1e-38
        while x < 1e38 {
            check(x)
            check(-x)
            x *= 1.01
        }
        for x: Float in [0, -0, .leastNonzeroMagnitude, 9, 9.9, 10, 10.1, 50, .greatestFiniteMagnitude, .infinity] {
            check(x)
            check(-x)
        }
        #expect(worst <= 3e-7, "largest error \(worst)")
        #expect(worstRelative <= 1e-6, "largest relative error near zero \(worstRelative)")
        #expect(SoftKnee.tanh(0) == 0 && SoftKnee.tanh(30) == 1 && SoftKnee.tanh(-30) == -1)
    }

    @Test func expMatchesFoundationOverItsRange() {
        var worst = 0.0
        for i in 0...200_000 {
            let x = Float(i) * 1e-4
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(SoftKnee.exp(x)) - exact) / exact)
        }
        #expect(worst <= 3e-7, "largest relative error \(worst)")
    }

    @Test func kneeMatchesTheExactOne() {
        let limits = RangeAdjustment.Limits(low: 0.05, high: 0.93)
        let knee = SoftKnee(limits: limits, workers: 1)
        var worst: Float = 0
        for ri in 0...200 {
            let r = Float(ri) / 200
            for di in -300...300 {
                let d = Float(di) / 200
                worst = max(worst, abs(knee.knee(d, r) - Self.exactKnee(d, r, limits)))
            }
        }
        #expect(worst <= 3e-7, "largest difference \(worst)")
    }

    /// Crafted changes on a reference: noise far beyond the bend, one-sided pushes,
    /// references at the limits, and one that only changes the pixels the sample holds
    /// (where the sample alone would get the mean wrong: the check on every pixel must).
    static func crafted(_ kind: String, width: Int, height: Int) -> (image: Image, reference: Image) {
        var generator = SeededGenerator(seed: 11)
        let count = width * height
        var reference = Image(width: width, height: height), image = reference
        let runs = SoftKnee.sampleLimit / SoftKnee.run
        var sampled = [Bool](repeating: count <= SoftKnee.sampleLimit, count: count)
        if count > SoftKnee.sampleLimit {
            for j in 0..<runs { for k in 0..<SoftKnee.run { sampled[j * count / runs + k] = true } }
        }
        for i in 0..<count {
            let x = Float(i % width) / Float(width), y = Float(i / width) / Float(height)
            let smooth = 0.5 + 0.4 * sin(9 * x) * cos(7 * y)
            switch kind {
            case "noise":
                reference.pixels[i] = smooth
                image.pixels[i] = smooth + Float.random(in: -0.9...0.9, using: &generator)
            case "bright":
                reference.pixels[i] = smooth
                image.pixels[i] = smooth + Float.random(in: 0...0.7, using: &generator)
            case "limits":
                reference.pixels[i] = x < 0.5 ? 0.02 + 0.06 * y : 0.92 + 0.06 * y
                image.pixels[i] = reference.pixels[i] + Float.random(in: -0.3...0.3, using: &generator)
            default:  // "sampled"
                reference.pixels[i] = smooth
                image.pixels[i] = smooth + (sampled[i] ? 0.45 : -0.01)
            }
        }
        return (image, reference)
    }

    @Test(arguments: ["noise", "bright", "limits", "sampled"])
    func sampledShiftKeepsTheWholeMeanAndMatchesTheExactStep(kind: String) {
        // 1,210 x 1,010: more pixels than the sample holds.
        let (changed, reference) = Self.crafted(kind, width: 1210, height: 1010)
        #expect(changed.pixels.count > SoftKnee.sampleLimit)
        let limits = RangeAdjustment.Limits(low: 0.03, high: 0.96)
        var fast = changed, exact = changed
        RangeAdjustment.soft(&fast, reference: reference, limits: limits, workers: 2)
        Self.exactSoft(&exact, reference: reference, limits: limits)
        let shift = Self.mean(fast.pixels) - Self.mean(reference.pixels)
        #expect(abs(shift) <= 1e-4, "\(kind): the mean moved by \(shift)")
        let difference = zip(fast.pixels, exact.pixels).map { abs($0 - $1) }.max() ?? 1
        #expect(difference <= 2e-4, "\(kind): \(difference) from the exact step")
        #expect(fast.pixels.allSatisfy { $0 > 0 && $0 < 1 })
        if kind == "sampled" {
            // Control: the shift solved on the sample alone misses the mean by far.
            let knee = SoftKnee(limits: limits, workers: 1)
            let sample = changed.pixels.withUnsafeBufferPointer { v in
                reference.pixels.withUnsafeBufferPointer { SoftKnee.Sample(v, reference: $0, workers: 1) }
            }
            var alone = changed
            alone.pixels.withUnsafeMutableBufferPointer { v in
                reference.pixels.withUnsafeBufferPointer {
                    knee.apply(
                        shift: knee.shift(on: sample, factor: 1, tolerance: 1e-5).shift, to: v, reference: $0, factor: 1
                    )
                }
            }
            #expect(abs(Self.mean(alone.pixels) - Self.mean(reference.pixels)) > 1e-3)
        }
    }

    @Test func sameBytesOnAnyWorkerCount() {
        let (changed, reference) = Self.crafted("noise", width: 1300, height: 1100)
        let limits = RangeAdjustment.Limits(low: 0.03, high: 0.96)
        let results = [1, 2, 3].map { workers in
            var image = changed
            RangeAdjustment.soft(&image, reference: reference, limits: limits, factor: 1.3, workers: workers)
            return image.pixels
        }
        #expect(results[0] == results[1] && results[0] == results[2])
        #expect(results[0] != changed.pixels)
    }

    /// What calibration measures on the sample is what scaling and the range step give on
    /// every pixel.
    @Test(arguments: [Float(0.5), 1, 2.5])
    func sampleMeasuresTheWholeImagesChange(factor: Float) {
        let (changed, reference) = Self.crafted("bright", width: 1250, height: 1000)
        let limits = RangeAdjustment.Limits(low: 0.03, high: 0.96)
        let knee = SoftKnee(limits: limits, workers: 2)
        let sample = changed.pixels.withUnsafeBufferPointer { v in
            reference.pixels.withUnsafeBufferPointer { SoftKnee.Sample(v, reference: $0, workers: 2) }
        }
        #expect(!sample.complete && sample.values.count == SoftKnee.sampleLimit)
        let estimate = knee.rmsChange(of: sample, factor: factor)
        var image = changed
        RangeAdjustment.soft(&image, reference: reference, limits: limits, factor: factor, workers: 2)
        let squares = zip(image.pixels, reference.pixels).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        let measured = Float((squares / Double(image.pixels.count)).squareRoot())
        #expect(abs(estimate / measured - 1) <= 0.01, "sample \(estimate), whole image \(measured)")
    }
}
