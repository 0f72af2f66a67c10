import Foundation
import Imaging
import NeuralNet
import Testing

@testable import Resampling

private struct PillowCases: Decodable {
    struct Case: Decodable {
        let width, height, targetWidth, targetHeight: Int
        let source, expected: [Float]
    }
    let cases: [Case]
}

@Suite struct ResamplerTests {
    @Test func matchesPillowBicubic() throws {
        let url = Bundle.module.url(forResource: "Fixtures/pillow-bicubic", withExtension: "json")!
        let cases = try JSONDecoder().decode(PillowCases.self, from: Data(contentsOf: url)).cases
        #expect(cases.count >= 9)
        for item in cases {
            let source = Image(width: item.width, height: item.height, pixels: item.source)
            let out = source.resized(width: item.targetWidth, height: item.targetHeight)
            let worst = zip(out.pixels, item.expected).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-3, "\(item.width)x\(item.height) -> \(item.targetWidth)x\(item.targetHeight): \(worst)")
        }
    }

    /// Full-size resampling runs in bands of rows on several threads; every row is
    /// computed the same way, so the result is bit for bit the same on any worker count.
    @Test func workersChangeNothing() {
        var source = Image(width: 900, height: 700, channels: 2)
        for i in source.pixels.indices { source.pixels[i] = Float((i * 7919) % 1000) / 999 }
        for (width, height) in [(1300, 1000), (300, 200), (28, 28)] {
            let one = source.resized(width: width, height: height)
            for workers in [2, 3, 5] {
                let other = source.resized(width: width, height: height, workers: workers)
                #expect(
                    other.pixels.map(\.bitPattern) == one.pixels.map(\.bitPattern), "\(width)x\(height), \(workers)")
            }
        }
    }

    @Test(arguments: ResamplingKernel.allCases)
    func constantStaysConstant(kernel: ResamplingKernel) {
        for edge in EdgeMode.allCases {
            let image = Image(width: 17, height: 11, value: 0.37)
            for (w, h) in [(5, 3), (40, 29), (17, 11), (1, 1), (18, 10)] {
                let out = image.resized(width: w, height: h, kernel: kernel, edge: edge)
                #expect(out.pixels.allSatisfy { abs($0 - 0.37) < 1e-5 }, "\(kernel) \(edge) \(w)x\(h)")
            }
        }
    }

    @Test func integerDownscaleKeepsTheMean() {
        var rng = SeededGenerator(seed: 3)
        let image = Image(
            width: 64, height: 48, pixels: (0..<(64 * 48)).map { _ in Float.random(in: 0...1, using: &rng) })
        for (w, h) in [(32, 24), (16, 12), (8, 6)] {
            let out = image.resized(width: w, height: h, edge: .reflect)
            #expect(abs(out.mean - image.mean) < 5e-3, "\(w)x\(h): \(out.mean) vs \(image.mean)")
        }
    }

    @Test func scaleOneIsIdentity() {
        let image = Image(width: 5, height: 4, pixels: (0..<20).map { Float($0) / 20 })
        #expect(image.resized(width: 5, height: 4) == image)
        // The identity also holds when the weights are computed rather than skipped.
        let weights = ResamplingWeights(inputSize: 5, outputSize: 5, kernel: .bicubic, edge: .renormalize)
        for i in 0..<5 {
            for k in 0..<weights.taps where weights.weights[i * weights.taps + k] != 0 {
                #expect(Int(weights.indices[i * weights.taps + k]) == i)
                #expect(abs(weights.weights[i * weights.taps + k] - 1) < 1e-6)
            }
        }
    }

    @Test func kernelValues() {
        #expect(ResamplingKernel.bicubic.weight(0) == 1)
        #expect(ResamplingKernel.bicubic.weight(1) == 0)
        #expect(ResamplingKernel.bicubic.weight(2) == 0)
        #expect(abs(ResamplingKernel.bicubic.weight(0.5) - 0.5625) < 1e-12)
        #expect(abs(ResamplingKernel.bicubic.weight(1.5) + 0.0625) < 1e-12)
        #expect(abs(ResamplingKernel.lanczos3.weight(1)) < 1e-12)
    }

    @Test func reflectionIndices() {
        #expect((-3...8).map { EdgeMode.reflect.map($0, count: 4) } == [3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2])
        #expect(EdgeMode.reflect.map(-5, count: 1) == 0)
        #expect(EdgeMode.clamp.map(-5, count: 4) == 0 && EdgeMode.clamp.map(9, count: 4) == 3)
    }

    @Test func nearestEnlargementRepeatsPixels() {
        let image = Image(width: 2, height: 1, pixels: [0.25, 0.75])
        #expect(
            image.enlarged(by: 3).pixels == [
                0.25, 0.25, 0.25, 0.75, 0.75, 0.75,
                0.25, 0.25, 0.25, 0.75, 0.75, 0.75,
                0.25, 0.25, 0.25, 0.75, 0.75, 0.75,
            ])
    }
}
