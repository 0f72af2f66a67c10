import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

@testable import Dreaming

/// Every objective term's input gradient, as `ObjectiveGradient` computes it in Float,
/// against central finite differences of the objective computed in Double from its
/// definition (`Reference`'s independent forward pass, the bundled model's weights):
/// through the whole network down to the pixels, at several layers, for the whole image
/// and for a tall image cut into blocks.
@Suite(.tags(.slow), .skippedByFastRuns) struct ObjectiveGradientCheckTests {
    var model: Sequential
    var parameters: [Double]

    init() throws {
        model = try bundledModel()
        parameters = model.parameterValues().map(Double.init)
    }

    /// The same checks on another architecture (`ArchitectureModels`).
    init(_ name: String) throws {
        model = try ArchitectureModels.named(name)
        parameters = model.parameterValues().map(Double.init)
    }

    /// The objective from the terms' definitions (DreamObjective.Term.Kind), in Double.
    /// `guide`: the guide's pixels, whose features are computed here in Double too.
    func objective(_ terms: [DreamObjective.Term], input: [Double], shape: FeatureShape, guide: [Double]? = nil)
        -> Double
    {
        let values = Reference.layers(
            model, parameters: parameters, input: input, batch: 1, shape: shape, through: terms.map(\.layer).max()!)
        var total = 0.0
        for term in terms {
            let layer = values[term.layer]
            let w = Double(term.weight)
            switch term.kind {
            case .mapMean(let map):
                // Mean pre-activation of one map over the layer's positions.
                let s = layer.preActivation.shape
                let positions = s.height * s.width
                total +=
                    w * (0..<positions).map { layer.preActivation.values[$0 * s.channels + map] }.reduce(0, +)
                    / Double(positions)
            case .layerEnergy:
                // Mean squared activation over the whole layer.
                let v = layer.output.values
                total += w * v.map { $0 * $0 }.reduce(0, +) / Double(v.count)
            case .unit(let unit):
                // One unit before its activation (a logit for the last layer).
                total += w * layer.preActivation.values[unit]
            case .guide:
                // At each position, the largest dot product of the activation vector with one
                // of the guide's, over positions x channels.
                let features = Reference.layers(
                    model, parameters: parameters, input: guide!, batch: 1, shape: model.inputShape,
                    through: term.layer)[term.layer].output.values
                let s = layer.output.shape, v = layer.output.values
                let channels = s.channels, positions = s.height * s.width
                var sum = 0.0
                for p in 0..<positions {
                    var best = -Double.infinity
                    for q in 0..<(features.count / channels) {
                        var dot = 0.0
                        for c in 0..<channels { dot += v[p * channels + c] * features[q * channels + c] }
                        best = max(best, dot)
                    }
                    sum += best
                }
                total += w * sum / Double(positions * channels)
            }
        }
        return total
    }

    /// Compares the gradient along random directions and at the pixels it is largest.
    /// `mutation` scales the computed gradient before the comparisons: with a factor other
    /// than 1 the mismatches are returned instead of recorded, to show the check sees them.
    @discardableResult
    func check(
        _ settings: DreamSettings, height: Int, width: Int, workers: Int, banded: Bool, mutation: Double = 1,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [String] {
        var mismatches: [String] = []
        func verify(_ ok: Bool, _ message: @autoclosure () -> String) {
            if mutation == 1 {
                #expect(ok, "\(message())", sourceLocation: sourceLocation)
            } else if !ok {
                mismatches.append(message())
            }
        }
        let guide = try settings.guide.map { try DreamGuide.load($0, for: model, invert: settings.invert) }
        let objectiveTerms = try DreamObjective(settings: settings, model: model, guide: guide)
        let guidePixels = guide?.pixels.map(Double.init)
        let evaluator = ObjectiveGradient(model: model, objective: objectiveTerms, workers: workers)
        let channels = model.inputShape.channels
        let shape = FeatureShape(height: height, width: width, channels: channels)
        // Blocks of 40 rows cut a tall image in several (the default only cuts large ones);
        // their gradients add up to the whole image's.
        if banded { evaluator.blockSide = 40 }
        #expect(
            ((evaluator.blockPlan(for: shape)?.blocks.count ?? 0) > 1) == banded, "block split",
            sourceLocation: sourceLocation)
        // A photo-like input: smooth structure plus noise, unclamped, so that no two pixels
        // (and no two values in a pooling window) are equal: max-pooling has no gradient at
        // a tie, and finite differences across one disagree with any choice.
        var generator = TestGenerator(21)
        let photo = syntheticPhoto(width: width, height: height)
        let planes = channels == 1 ? ColorSpace.luma(of: photo) : photo
        let noise = generator.uniform(shape.count, -0.15...0.15)
        // The network's layout: channels interleaved.
        let n = width * height
        let x = (0..<shape.count).map { 0.7 * planes.pixels[($0 % channels) * n + $0 / channels] + noise[$0] }
        let analytic = try x.withUnsafeBufferPointer { buffer in
            let g = try evaluator.evaluate(buffer.baseAddress!, batch: 1, shape: shape)
            return (0..<x.count).map { mutation * Double(g[$0]) }
        }
        let xd = x.map(Double.init)
        let terms = objectiveTerms.terms
        let value = objective(terms, input: xd, shape: shape, guide: guidePixels)
        #expect(
            abs(Double(evaluator.meanLoss) - value) <= 1e-4 * max(1, abs(value)),
            "objective value \(evaluator.meanLoss), reference \(value)", sourceLocation: sourceLocation)
        // Small: a step that crosses a ReLU or pooling switch is then rare.
        let h = 1e-7
        func derivative(along v: [Double]) -> Double {
            let plus = zip(xd, v).map { $0 + h * $1 }, minus = zip(xd, v).map { $0 - h * $1 }
            return
                (objective(terms, input: plus, shape: shape, guide: guidePixels)
                - objective(terms, input: minus, shape: shape, guide: guidePixels)) / (2 * h)
        }
        let scale = analytic.map(abs).max() ?? 0
        #expect(scale > 0, "a gradient at all", sourceLocation: sourceLocation)
        // Along the gradient itself (a gradient off by a factor is off by that factor here)
        // and along a random direction: every pixel's gradient at once.
        let norm = analytic.map { $0 * $0 }.reduce(0, +).squareRoot()
        let directions = [analytic.map { $0 / norm }, generator.uniform(x.count, -1...1).map(Double.init)]
        for (k, v) in directions.enumerated() {
            let expected = derivative(along: v)
            let got = zip(analytic, v).map(*).reduce(0, +)
            let size = zip(analytic, v).map { abs($0 * $1) }.reduce(0, +)
            verify(
                abs(got - expected) <= 2e-3 * size, "direction \(k): analytic \(got), finite difference \(expected)")
        }
        // Single pixels where the gradient is largest.
        let top = analytic.indices.sorted { abs(analytic[$0]) > abs(analytic[$1]) }.prefix(3)
        for i in top {
            var v = [Double](repeating: 0, count: x.count)
            v[i] = 1
            let expected = derivative(along: v)
            verify(
                abs(analytic[i] - expected) <= 2e-3 * abs(analytic[i]),
                "pixel \(i / channels % width),\(i / channels / width): analytic \(analytic[i]), finite difference \(expected)"
            )
        }
        return mismatches
    }

    func settings(maps: MapWeights = [], layer: String = "conv3", layers: [String: Float] = [:], classIndex: Int? = nil)
        -> DreamSettings
    {
        var s = DreamSettings()
        s.layer = layer
        s.maps = maps
        s.layers = layers
        s.classIndex = classIndex
        return s
    }

    @Test(arguments: [("conv1", 5), ("conv2", 17), ("conv3", 56)])
    func mapMean(layer: String, map: Int) throws {
        let s = settings(maps: [map], layer: layer)
        try check(s, height: 30, width: 32, workers: 1, banded: false)
        try check(s, height: 80, width: 24, workers: 2, banded: true)
    }

    @Test(arguments: ["conv1", "pool1", "conv2", "conv3"])
    func layerEnergy(layer: String) throws {
        let s = settings(layers: [layer: 1])
        try check(s, height: 30, width: 32, workers: 1, banded: false)
        try check(s, height: 80, width: 24, workers: 2, banded: true)
    }

    /// Units of dense layers and the class logit need the trained input size: whole only.
    @Test func unitsAndClass() throws {
        try check(settings(maps: [7], layer: "dense1"), height: 28, width: 28, workers: 1, banded: false)
        try check(settings(classIndex: 3), height: 28, width: 28, workers: 1, banded: false)
    }

    /// Several terms at once, weighted: their gradients add.
    @Test func weightedMix() throws {
        let s = settings(maps: [3, 40], layer: "conv2", layers: ["conv1": 0.5, "conv3": 2])
        try check(s, height: 30, width: 32, workers: 1, banded: false)
        try check(s, height: 80, width: 24, workers: 2, banded: true)
    }

    /// Per-map weights, a negative one among them: each map's gradient scaled by its weight.
    @Test func weightedMaps() throws {
        var s = settings(layer: "conv3")
        s.maps = [3: 1, 40: -0.5, 56: 2]
        try check(s, height: 30, width: 32, workers: 1, banded: false)
        try check(s, height: 80, width: 24, workers: 2, banded: true)
    }

    /// The guide term (a 7 of the bundled data) at each conv layer, alone and mixed with a
    /// map and a layer, whole and in blocks.
    @Test(arguments: ["conv1", "conv2", "conv3"])
    func guide(layer: String) throws {
        var s = settings()
        s.guide = "mnist:class:7"
        s.guideLayer = layer
        s.guideWeight = 1.5
        try check(s, height: 30, width: 32, workers: 1, banded: false)
        try check(s, height: 80, width: 24, workers: 2, banded: true)
        var mixed = settings(maps: [17], layer: "conv2", layers: ["conv1": 0.5])
        mixed.guide = "mnist:class:7"
        mixed.guideLayer = layer
        try check(mixed, height: 30, width: 32, workers: 1, banded: false)
    }

    /// The check catches a gradient off by a factor of 2 (a term counted twice, a lost
    /// 1/2): every comparison fails, for the guide term as for the others.
    @Test func aGradientOffByTwoIsCaught() throws {
        var guided = settings()
        guided.guide = "mnist:class:7"
        for s in [guided, settings(maps: [3: 1, 40: -0.5]), settings(layers: ["conv2": 1])] {
            let mismatches = try check(s, height: 30, width: 32, workers: 1, banded: false, mutation: 2)
            #expect(mismatches.count == 5, "\(mismatches)")
        }
    }

    /// A 32x32 gray model with 5x5 kernels and a 28x28 RGB one: other strides, fields and
    /// interleaved channels, cut into blocks or not.
    @Test(arguments: ["small32", "rgb"])
    func otherArchitectures(name: String) throws {
        let other = try Self(name)
        // A photo guide: on the RGB model, its three planes interleaved as the dream's.
        let guide = try temporaryFolder() + "/guide.png"
        try syntheticPhoto(width: 40, height: 30).write(to: guide)
        var guided = other.settings(layer: "conv2")
        guided.guide = guide
        guided.guideLayer = "conv2"
        for s in [
            guided,
            other.settings(maps: [3], layer: "conv2"), other.settings(layer: "conv2", layers: ["conv1": 1]),
            other.settings(maps: [2], layer: "conv2", layers: ["pool1": 0.5]),
        ] {
            try other.check(s, height: 38, width: 36, workers: 1, banded: false)
            try other.check(s, height: 90, width: 28, workers: 2, banded: true)
        }
        let side = other.model.inputShape.width
        try other.check(
            other.settings(layer: "conv2", classIndex: 3), height: side, width: side, workers: 1, banded: false)
    }
}
