import Foundation
import Imaging
import Resampling
import Testing

@Suite struct AffineWarpTests {
    func noise(_ side: Int, channels: Int = 1) -> Image {
        var state: UInt32 = 12345
        var image = Image(width: side, height: side, channels: channels)
        for i in image.pixels.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            image.pixels[i] = Float(state >> 8) / Float(1 << 24)
        }
        return image
    }

    @Test func identityIsByteForByte() {
        let image = noise(17, channels: 3)
        #expect(AffineWarp(zoom: 1, degrees: 0).apply(to: image) == image)
        #expect(AffineWarp(zoom: 1, degrees: 360).apply(to: image) == image)
    }

    /// The general path at integer offsets hits the kernel's zeros: an exact shift.
    @Test func integerShiftIsExact() {
        let image = noise(16)
        let out = AffineWarp(shiftX: 2, shiftY: -1).apply(to: image)
        for y in 0..<15 {
            for x in 2..<16 { #expect(out[x, y] == image[x - 2, y + 1]) }
        }
    }

    /// Counter-clockwise quarter turn of a square = transpose, then flip rows.
    @Test func quarterTurnIsTransposeFlip() {
        let n = 12
        let image = noise(n)
        let out = AffineWarp(degrees: 90).apply(to: image)
        var worst: Float = 0
        for y in 0..<n {
            for x in 0..<n { worst = max(worst, abs(out[x, y] - image[n - 1 - y, x])) }
        }
        #expect(worst < 1e-5)
    }

    /// Independent reference: Keys' cubic (a = -0.5) reproduces quadratics exactly, so
    /// away from the border a rotated and zoomed quadratic ramp must equal the ramp
    /// evaluated where each output pixel maps to.
    @Test func reproducesQuadraticUnderRotationAndZoom() {
        let n = 40
        func f(_ x: Double, _ y: Double) -> Double { 0.1 + 0.01 * x - 0.005 * y + 0.0002 * x * x + 0.0001 * x * y }
        var image = Image(width: n, height: n)
        for y in 0..<n {
            for x in 0..<n { image[x, y] = Float(f(Double(x), Double(y))) }
        }
        let warp = AffineWarp(zoom: 1.1, degrees: 30, shiftX: 1.5, shiftY: -0.7)
        let out = warp.apply(to: image)
        let c = (Double(n) - 1) / 2, r = 30 * Double.pi / 180
        var worst = 0.0
        for y in 10..<30 {
            for x in 10..<30 {
                let dx = Double(x) - c - 1.5, dy = Double(y) - c + 0.7
                let sx = c + (cos(r) * dx - sin(r) * dy) / 1.1
                let sy = c + (sin(r) * dx + cos(r) * dy) / 1.1
                worst = max(worst, abs(Double(out[x, y]) - f(sx, sy)))
            }
        }
        #expect(worst < 1e-5, "worst \(worst)")
    }

    @Test func zoomOutRepeatsTheBorderNotBlack() {
        let image = Image(width: 20, height: 20, channels: 1, value: 0.7)
        let out = AffineWarp(zoom: 0.5, degrees: 10).apply(to: image)
        #expect(out.pixels.allSatisfy { abs($0 - 0.7) < 1e-5 })
    }
}
