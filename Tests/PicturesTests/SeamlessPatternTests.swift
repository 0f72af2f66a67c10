import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

@testable import Pictures

/// `dream oip --seamless`: patterns that tile.
@Suite struct SeamlessPatternTests {
    /// Whether the wrap joins (last column to first, last row to first) both fall within
    /// the range of the joins of neighbouring interior columns and rows.
    static func tiles(_ image: Image) -> (Bool, String) {
        var ok = true
        var report = ""
        for transposed in [false, true] {
            func value(_ column: Int, _ row: Int) -> Float {
                transposed ? image[row, column] : image[column, row]
            }
            let side = image.width
            func join(_ a: Int, _ b: Int) -> Float {
                (0..<side).map { abs(value(a, $0) - value(b, $0)) }.reduce(0, +) / Float(side)
            }
            let interior = (0..<(side - 1)).map { join($0, $0 + 1) }
            let wrap = join(side - 1, 0)
            ok = ok && (interior.min()!...interior.max()!).contains(wrap)
            report += String(format: "wrap %.3f interior %.3f...%.3f; ", wrap, interior.min()!, interior.max()!)
        }
        return (ok, report)
    }

    @Test(.tags(.slow), arguments: [OIPSearch.Settings.Style.regularized, .raw])
    func seamlessPatternsTileAndPlainOnesDoNot(style: OIPSearch.Settings.Style) throws {
        let search = try OIPSearch(model: try bundledModel(), layerName: "conv2")
        var settings = OIPSearch.Settings()
        settings.style = style
        settings.steps = 60
        var verdicts: [Bool: [Bool]] = [:]
        for seamless in [true, false] {
            settings.seamless = seamless
            let patterns = try search.search(maps: [0, 3, 5, 9], settings: settings)
            for pattern in patterns {
                let (ok, report) = Self.tiles(pattern.image)
                verdicts[seamless, default: []].append(ok)
                if seamless { #expect(ok, "\(style) map \(pattern.map): \(report)") }
            }
        }
        // Plain patterns break off at their borders: at least half fail (all but one of
        // the regularized ones; raw patterns are noisy enough inside to hide some seams).
        #expect(verdicts[false]!.filter { $0 }.count <= 2, "\(style): plain verdicts \(verdicts[false]!)")
    }

    @Test func wrappingWarpAdjointMatchesItsTransform() {
        var generator = SeededGenerator(seed: 9)
        let x = (0..<784).map { _ in Float.random(in: -1...1, using: &generator) }
        let g = (0..<784).map { _ in Float.random(in: -1...1, using: &generator) }
        for _ in 0..<5 {
            let t = PatternTransform.random(
                side: 28, jitter: 2, scaleRange: 0.1, degrees: 10, wraps: true, using: &generator)
            var tx = [Float](repeating: 0, count: 784), tg = [Float](repeating: 0, count: 784)
            x.withUnsafeBufferPointer { src in
                tx.withUnsafeMutableBufferPointer { t.apply(src.baseAddress!, into: $0.baseAddress!) }
            }
            g.withUnsafeBufferPointer { src in
                tg.withUnsafeMutableBufferPointer { t.adjoint(src.baseAddress!, into: $0.baseAddress!) }
            }
            let left = zip(tx, g).reduce(0.0) { $0 + Double($1.0 * $1.1) }
            let right = zip(x, tg).reduce(0.0) { $0 + Double($1.0 * $1.1) }
            #expect(abs(left - right) < 1e-4 * max(1, abs(left)), "\(left) vs \(right)")
        }
        // A whole-pixel wrapping shift is a roll: nothing is lost at the border.
        let roll = PatternTransform(side: 28, shiftX: 5, shiftY: -3, scale: 1, degrees: 0, wraps: true)
        var moved = [Float](repeating: 0, count: 784)
        x.withUnsafeBufferPointer { src in
            moved.withUnsafeMutableBufferPointer { roll.apply(src.baseAddress!, into: $0.baseAddress!) }
        }
        for y in 0..<28 {
            for xx in 0..<28 {
                #expect(abs(moved[y * 28 + xx] - x[((y + 3) % 28) * 28 + (xx + 23) % 28]) < 1e-5)
            }
        }
    }
}
