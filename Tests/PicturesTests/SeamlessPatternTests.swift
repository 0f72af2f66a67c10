import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

@testable import Pictures

/// `dream oip --seamless`: patterns that tile.
@Suite struct SeamlessPatternTests {
    /// How much harder the wrap joins (last column to first, last row to first) break than
    /// a typical interior join: the larger of the two directions' wrap / median interior.
    static func seamRatio(_ image: Image) -> Float {
        var ratio: Float = 0
        for transposed in [false, true] {
            func value(_ column: Int, _ row: Int) -> Float {
                transposed ? image[row, column] : image[column, row]
            }
            let side = image.width
            func join(_ a: Int, _ b: Int) -> Float {
                (0..<side).map { abs(value(a, $0) - value(b, $0)) }.reduce(0, +) / Float(side)
            }
            let interior = (0..<(side - 1)).map { join($0, $0 + 1) }.sorted()
            ratio = max(ratio, join(side - 1, 0) / max(interior[interior.count / 2], 1e-6))
        }
        return ratio
    }

    /// The regularized style only: raw patterns are pixel noise inside as at their borders,
    /// so a plain raw pattern shows no seam to remove (measured: plain median ratio 1.0).
    @Test(.tags(.slow)) func seamlessPatternsTileAndPlainOnesDoNot() throws {
        let style = OIPSearch.Settings.Style.regularized
        let search = try OIPSearch(model: try bundledModel(), layerName: "conv2")
        var settings = OIPSearch.Settings()
        settings.style = style
        settings.steps = 60
        let maps = [0, 3, 5, 9, 12, 20, 33, 47]
        var ratios: [Bool: [Float]] = [:]
        for seamless in [true, false] {
            settings.seamless = seamless
            ratios[seamless] = try search.search(maps: maps, settings: settings).map { Self.seamRatio($0.image) }
        }
        let joined = ratios[true]!, plain = ratios[false]!
        print("seam ratios \(style): seamless \(joined), plain \(plain)")
        // Over eight maps, the wrap joins of seamless patterns look like interior ones,
        // while plain patterns break off at their borders.
        let median = { (values: [Float]) in values.sorted()[values.count / 2] }
        // Measured on the bundled model: seamless median 1.46, plain 4.2.
        #expect(median(joined) < 2, "\(style): seamless seam ratios \(joined)")
        #expect(median(plain) > 2 * median(joined), "\(style): plain \(plain) against seamless \(joined)")
    }

    /// (The wrapping warp's adjoint is checked with the plain one in OIPSheetTests.)
    @Test func wrappingShiftIsARoll() {
        var generator = SeededGenerator(seed: 9)
        let x = (0..<784).map { _ in Float.random(in: -1...1, using: &generator) }
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
