import Foundation
import TestSupport
import Testing

@testable import NeuralNet

/// Every gradient of every layer against central finite differences of an independent
/// Double-precision forward pass. The loss is a fixed random linear functional of the
/// network output (or cross-entropy for the full net), so d(loss)/d(output) is known.
@Suite(.tags(.slow), .skippedByFastRuns) struct GradientCheckTests {
    /// Relative error that tolerates float32 analytic gradients against Double references.
    func expectClose(_ analytic: Float, _ numeric: Double, _ what: String) {
        let error = abs(Double(analytic) - numeric) / max(1e-2, abs(numeric) + abs(Double(analytic)))
        #expect(error < 2e-3, "\(what): analytic \(analytic) numeric \(numeric)")
    }

    /// Builds a model, checks d(r . output)/d(input) and d/d(parameters) for all (or `sample`) entries.
    func check(
        specs: [LayerSpec], input shape: FeatureShape, batch: Int, seed: UInt64, sample: Int? = nil,
        convolution: ConvolutionAlgorithm = .im2col
    ) throws {
        let model = try Sequential(inputShape: shape, specs: specs)
        model.convolutionAlgorithm = convolution
        var rng = TestGenerator(seed)
        model.setParameters(rng.uniform(model.parameterCount, -0.5...0.5))
        let input = rng.uniform(batch * shape.count)
        let outShape = try model.outputShapes(for: shape).last!
        let r = rng.uniform(batch * outShape.count)

        try input.withUnsafeBufferPointer { try model.forward($0.baseAddress!, batch: batch, shape: shape) }
        var seed = r
        var dInput = [Float](repeating: 0, count: input.count)
        model.zeroGradients()
        seed.withUnsafeMutableBufferPointer { s in
            dInput.withUnsafeMutableBufferPointer { d in
                model.backward(
                    from: model.layers.count - 1, seed: s.baseAddress!, parameterGradients: true,
                    inputGradient: d.baseAddress!)
            }
        }
        let dParameters = model.gradients.array(count: model.parameterCount)

        let p = model.parameterValues().map(Double.init)
        let x = input.map(Double.init)
        let rd = r.map(Double.init)
        func loss(_ p: [Double], _ x: [Double]) -> Double {
            let y = Reference.forward(model, parameters: p, input: x, batch: batch, shape: shape).values
            return zip(y, rd).map(*).reduce(0, +)
        }
        let h = 1e-5
        var indices = Array(0..<x.count)
        if let sample { indices = Array(indices.shuffled(using: &rng).prefix(sample)) }
        for i in indices {
            var plus = x, minus = x
            plus[i] += h
            minus[i] -= h
            expectClose(dInput[i], (loss(p, plus) - loss(p, minus)) / (2 * h), "d input[\(i)]")
        }
        for view in model.tensors {
            var entries = Array(view.offset..<view.offset + view.count)
            if let sample { entries = Array(entries.shuffled(using: &rng).prefix(sample)) }
            for i in entries {
                var plus = p, minus = p
                plus[i] += h
                minus[i] -= h
                expectClose(
                    dParameters[i], (loss(plus, x) - loss(minus, x)) / (2 * h), "d \(view.name)[\(i - view.offset)]")
            }
        }
    }

    @Test func conv2DLinearAndReLU() throws {
        for activation in [Activation.linear, .relu] {
            try check(
                specs: [LayerSpec(name: "c", kind: .conv2d, units: 4, size: [3, 2], activation: activation)],
                input: FeatureShape(height: 6, width: 5, channels: 3), batch: 2, seed: 11)
        }
    }

    @Test func maxPool2D() throws {
        // A conv in front gives the pool parameters to pass gradients through; odd sizes drop an edge.
        try check(
            specs: [
                LayerSpec(name: "c", kind: .conv2d, units: 3, size: [2, 2], activation: .linear),
                LayerSpec(name: "p", kind: .maxpool2d, size: [2, 2]),
            ],
            input: FeatureShape(height: 8, width: 7, channels: 2), batch: 2, seed: 12)
    }

    @Test func denseWithEveryActivation() throws {
        for activation in [Activation.linear, .relu, .softmax] {
            try check(
                specs: [
                    LayerSpec(name: "f", kind: .flatten),
                    LayerSpec(name: "d", kind: .dense, units: 5, activation: activation),
                ],
                input: FeatureShape(height: 2, width: 3, channels: 2), batch: 3, seed: 13)
        }
    }

    @Test(arguments: ConvolutionAlgorithm.allCases)
    func wholeMNISTNetwork(convolution: ConvolutionAlgorithm) throws {
        let model = Sequential.mnistCNN()
        try check(specs: model.specs, input: model.inputShape, batch: 2, seed: 14, sample: 4, convolution: convolution)
    }

    /// Winograd conv layers on a larger-than-28x28 input (the conv dream mode).
    @Test func winogradConvStackOnLargerInput() throws {
        let specs = Array(Sequential.mnistCNN().specs.prefix(5))
        try check(
            specs: specs, input: FeatureShape(height: 31, width: 29, channels: 1), batch: 1, seed: 16, sample: 6,
            convolution: .winograd)
    }

    @Test func crossEntropyGradient() {
        var rng = TestGenerator(15)
        let logits = rng.uniform(3 * 10, -3...3)
        let labels: [UInt8] = [2, 7, 0]
        func probabilities(_ z: [Double]) -> [Double] {
            Reference.activate(.init(shape: .vector(10), values: z), batch: 3, .softmax).values
        }
        func loss(_ z: [Double]) -> Double {
            let p = probabilities(z)
            return -(0..<3).map { log(p[$0 * 10 + Int(labels[$0])]) }.reduce(0, +) / 3
        }
        let p = probabilities(logits.map(Double.init)).map(Float.init)
        var gradient = [Float](repeating: 0, count: 30)
        let value = SoftmaxCrossEntropy.loss(
            probabilities: p, labels: labels, batch: 3, classes: 10, logitGradient: &gradient)
        #expect(abs(Double(value) - loss(logits.map(Double.init))) < 1e-5)
        for i in 0..<30 {
            var plus = logits.map(Double.init), minus = plus
            plus[i] += 1e-6
            minus[i] -= 1e-6
            expectClose(gradient[i], (loss(plus) - loss(minus)) / 2e-6, "d logit[\(i)]")
        }
    }
}
