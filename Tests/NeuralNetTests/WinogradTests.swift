import TestSupport
import Testing

@testable import NeuralNet

/// The Winograd path against the defining identity of its matrices, the direct
/// convolution (forward) and the im2col path (input gradient, weight gradient).
@Suite struct WinogradTests {
    /// sum_xi A^T[i, xi] G[xi, k] B^T[xi, j] = [j == i + k]: what makes F(m, 3) a
    /// correlation. Checked in Double, so the tables cannot carry a typo.
    @Test(arguments: WinogradConvolution.Transform.all.map(\.m))
    func matricesSatisfyTheIdentity(m: Int) {
        let t = WinogradConvolution.Transform.all.first { $0.m == m }!
        let alpha = t.alpha
        for i in 0..<m {
            for k in 0..<3 {
                for j in 0..<alpha {
                    var sum = 0.0
                    for xi in 0..<alpha {
                        sum += Double(t.at[i * alpha + xi]) * t.g[xi * 3 + k] * Double(t.bt[xi * alpha + j])
                    }
                    #expect(abs(sum - (j == i + k ? 1 : 0)) < 1e-12, "F(\(m),3) i=\(i) k=\(k) j=\(j): \(sum)")
                }
            }
        }
    }

    @Test func tileSizeFollowsTheOutput() {
        #expect(WinogradConvolution.Transform.best(outputHeight: 11, outputWidth: 11).m == 4)
        #expect(WinogradConvolution.Transform.best(outputHeight: 3, outputWidth: 3).m == 3)
        #expect(WinogradConvolution.Transform.best(outputHeight: 2, outputWidth: 2).m == 2)
        #expect(WinogradConvolution.Transform.best(outputHeight: 300, outputWidth: 200).m == 4)
    }

    /// Sizes that end in whole tiles and in partial ones, for every tile size.
    static let cases: [(Int, Int, Int, Int, Int)] = [
        // height, width, channels, filters, tile size
        (13, 13, 32, 64, 4), (5, 5, 64, 16, 3), (6, 6, 8, 8, 4), (9, 7, 8, 3, 2), (14, 11, 12, 5, 3),
        (3, 3, 8, 4, 4), (40, 23, 16, 8, 4),
    ]

    func makeConv(_ c: Int, _ k: Int, seed: UInt64) -> (Conv2D, [Float]) {
        let conv = Conv2D(name: "c", inputChannels: c, filters: k, activation: .relu)
        var rng = TestGenerator(seed)
        return (conv, rng.uniform(conv.parameterCount, -0.3...0.3))
    }

    @Test(arguments: cases)
    func forwardMatchesDirect(height: Int, width: Int, channels: Int, filters: Int, m: Int) {
        let (conv, weights) = makeConv(channels, filters, seed: UInt64(height * 31 + m))
        var parameters = weights
        var gradients = [Float](repeating: 0, count: conv.parameterCount)
        var rng = TestGenerator(UInt64(width))
        let shape = FeatureShape(height: height, width: width, channels: channels)
        let batch = 3
        let input = rng.uniform(batch * shape.count)
        let out = try! conv.outputShape(for: shape)
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeMutableBufferPointer { g in
                conv.bind(parameters: p.baseAddress!, gradients: g.baseAddress!)
                let direct = conv.forwardDirect(input, shape: shape, batch: batch)
                let transform = WinogradConvolution.Transform.all.first { $0.m == m }!
                let engine = WinogradConvolution(
                    transform: transform, weights: p.baseAddress!, channels: channels, filters: filters)
                var result = [Float](repeating: .nan, count: batch * out.count)
                engine.forward(input, shape: shape, batch: batch, into: &result)
                let scale = direct.map { abs($0) }.max()!
                var worst: Float = 0
                for i in 0..<result.count {
                    // forwardDirect includes the bias; the engine does not.
                    worst = max(worst, abs(result[i] + p[p.count - filters + i % filters] - direct[i]))
                }
                #expect(worst <= 2e-5 * scale, "F(\(m),3) \(height)x\(width)x\(channels): \(worst) of \(scale)")
            }
        }
    }

    /// The input and weight gradients of every tile size equal the im2col path's (the
    /// weight gradient comes from the transform domain under Winograd: dU = V^T dM, then
    /// G^T dU G), with and without the input gradient asked for.
    @Test(arguments: cases)
    func backwardMatchesIm2col(height: Int, width: Int, channels: Int, filters: Int, m: Int) {
        let shape = FeatureShape(height: height, width: width, channels: channels)
        let batch = 2
        var rng = TestGenerator(UInt64(height * 7 + width))
        let input = rng.uniform(batch * shape.count)
        let (conv, weights) = makeConv(channels, filters, seed: 99)
        let out = try! conv.outputShape(for: shape)
        let seed = rng.uniform(batch * out.count)
        var parameters = weights
        var gradients: [[Float]] = [], inputGradients: [[Float]] = []
        parameters.withUnsafeMutableBufferPointer { p in
            (inputGradients, gradients) = gradientsPerAlgorithm(
                conv, parameters: p.baseAddress!, input: input, shape: shape, batch: batch, seed: seed)
            let transform = WinogradConvolution.Transform.all.first { $0.m == m }!
            let engine = WinogradConvolution(
                transform: transform, weights: p.baseAddress!, channels: channels, filters: filters)
            var dInput = [Float](repeating: .nan, count: input.count)
            engine.backwardData(seed, shape: shape, batch: batch, into: &dInput)
            inputGradients.append(dInput)
            // The weight gradient alone, added to what is there (as layers accumulate).
            var dWeights = [Float](repeating: 1, count: conv.parameterCount - filters)
            engine.backward(
                seed, input: input, shape: shape, batch: batch, inputGradient: nil, weightGradient: &dWeights)
            gradients.append(dWeights.map { $0 - 1 })
        }
        let weightScale = gradients[0].map { abs($0) }.max()!
        for (name, other) in [("Conv2D", gradients[1]), ("weights alone", gradients[2])] {
            let worst = zip(gradients[0], other).map { abs($0 - $1) }.max()!
            #expect(worst <= 2e-5 * weightScale, "dW \(name) F(\(m),3) \(height)x\(width)x\(channels): \(worst)")
        }
        #expect(gradients[0].count == conv.parameterCount && weightScale > 0)
        let reference = inputGradients[0]
        let scale = reference.map { abs($0) }.max()!
        for other in inputGradients.dropFirst() {
            let worst = zip(reference, other).map { abs($0 - $1) }.max()!
            #expect(worst <= 2e-5 * scale, "dInput F(\(m),3) \(height)x\(width)x\(channels): \(worst) of \(scale)")
        }
    }
}

extension WinogradTests {
    /// Training updates the weights in place between batches: after `weightsChanged()`
    /// the next forward pass uses the new weights (transformed again, without a new
    /// engine), and the filters of an engine that was not told stay as they were.
    @Test func weightsChangedRetransformsTheFilters() {
        let shape = FeatureShape(height: 13, width: 13, channels: 32)
        var rng = TestGenerator(5)
        let input = rng.uniform(2 * shape.count)
        let (conv, weights) = makeConv(32, 64, seed: 6)
        var parameters = weights
        var gradients = [Float](repeating: 0, count: conv.parameterCount)
        let out = try! conv.outputShape(for: shape)
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeMutableBufferPointer { g in
                conv.bind(parameters: p.baseAddress!, gradients: g.baseAddress!)
                conv.algorithm = .winograd
                conv.forward(input, shape: shape, batch: 2)
                let before = Array(UnsafeBufferPointer(start: conv.preActivation, count: 2 * out.count))
                for i in 0..<p.count { p[i] *= -0.5 }
                conv.forward(input, shape: shape, batch: 2)
                let stale = Array(UnsafeBufferPointer(start: conv.preActivation, count: 2 * out.count))
                conv.weightsChanged()
                conv.forward(input, shape: shape, batch: 2)
                let direct = conv.forwardDirect(input, shape: shape, batch: 2)
                let worst = (0..<direct.count).map { abs(conv.preActivation[$0] - direct[$0]) }.max()!
                #expect(worst < 1e-4, "after weightsChanged: \(worst) from the direct convolution")
                // Untold, the transformed filters were the old ones: only the bias (-2b -> b) moved.
                let newBias = Array(p[(p.count - 64)...])
                let worstStale = (0..<stale.count).map { abs(stale[$0] - before[$0] - 3 * newBias[$0 % 64]) }.max()!
                #expect(worstStale < 1e-5, "stale filters: \(worstStale)")
            }
        }
    }
}

/// Each straight-line kernel against the matrix it stands for.
@Suite struct WinogradKernelTests {
    @Test(arguments: WinogradConvolution.Transform.all.map(\.m))
    func kernelsApplyTheirMatrices(m: Int) {
        let t = WinogradConvolution.Transform.all.first { $0.m == m }!
        let kernels = WinogradKernels.forTransform(t)
        let alpha = t.alpha, lanes = 37, stride = 41
        var rng = TestGenerator(UInt64(m))
        let cases: [(String, WinogradKernels.Rows, [Float], Int, Int, Bool)] = [
            ("B^T", kernels.inputRows, t.bt, alpha, alpha, false),
            ("B", kernels.inputRowsTransposed, t.bt, alpha, alpha, true),
            ("A^T", kernels.outputRows, t.at, m, alpha, false),
            ("A", kernels.outputRowsTransposed, t.at, m, alpha, true),
        ]
        for (name, kernel, matrix, rows, columns, transposed) in cases {
            let (outRows, inRows) = transposed ? (columns, rows) : (rows, columns)
            let input = rng.uniform(inRows * stride)
            var output = [Float](repeating: .nan, count: outRows * stride)
            kernel(input, stride, &output, stride, lanes)
            for r in 0..<outRows {
                for i in 0..<lanes {
                    var expected = 0.0
                    for j in 0..<inRows {
                        let w = transposed ? matrix[j * columns + r] : matrix[r * columns + j]
                        expected += Double(w) * Double(input[j * stride + i])
                    }
                    #expect(
                        abs(Double(output[r * stride + i]) - expected) < 1e-5, "F(\(m),3) \(name) row \(r) lane \(i)")
                }
            }
        }
    }
}

/// conv1's path under `.winograd`: a direct convolution with a one-channel input.
@Suite struct SingleChannelConvTests {
    @Test(arguments: [(28, 28, 32), (13, 9, 16), (40, 61, 48)])
    func matchesDirectAndIm2col(height: Int, width: Int, filters: Int) {
        let shape = FeatureShape(height: height, width: width, channels: 1)
        let batch = 2
        var rng = TestGenerator(UInt64(height + filters))
        let input = rng.uniform(batch * shape.count)
        let conv = Conv2D(name: "c", inputChannels: 1, filters: filters, activation: .relu)
        var parameters = rng.uniform(conv.parameterCount)
        let out = try! conv.outputShape(for: shape)
        let seed = rng.uniform(batch * out.count)
        let (inputGradients, weightGradients) = parameters.withUnsafeMutableBufferPointer { p in
            gradientsPerAlgorithm(
                conv, parameters: p.baseAddress!, input: input, shape: shape, batch: batch, seed: seed
            ) {
                algorithm in
                #expect(conv.usesSingleChannelDirect == (algorithm == .winograd))
                let direct = conv.forwardDirect(input, shape: shape, batch: batch)
                let worst = (0..<direct.count).map { abs(direct[$0] - conv.preActivation[$0]) }.max()!
                #expect(worst < 1e-5, "\(algorithm) forward: \(worst)")
                #expect((0..<direct.count).allSatisfy { conv.output[$0] == max(conv.preActivation[$0], 0) })
            }
        }
        let worst = zip(inputGradients[0], inputGradients[1]).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-5, "input gradient: \(worst)")
        // The weight gradient: im2col's GEMM against the nine-tap register kernel.
        let scale = weightGradients[0].map { abs($0) }.max()!
        let worstWeight = zip(weightGradients[0], weightGradients[1]).map { abs($0 - $1) }.max()!
        #expect(scale > 0 && worstWeight <= 1e-5 * scale, "weight gradient: \(worstWeight) of \(scale)")
    }
}

/// Forward then backward (dWeight and dInput from the pre-activation seed `seed`) of
/// `conv` on the same parameters, once per algorithm in `ConvolutionAlgorithm.allCases`;
/// `afterForward` sees the bound layer between the two passes.
func gradientsPerAlgorithm(
    _ conv: Conv2D, parameters: UnsafeMutablePointer<Float>, input: [Float], shape: FeatureShape, batch: Int,
    seed: [Float], afterForward: (ConvolutionAlgorithm) -> Void = { _ in }
) -> (input: [[Float]], weights: [[Float]]) {
    var inputGradients: [[Float]] = [], weightGradients: [[Float]] = []
    for algorithm in ConvolutionAlgorithm.allCases {
        var g = [Float](repeating: 0, count: conv.parameterCount)
        var dPre = seed
        var dInput = [Float](repeating: .nan, count: input.count)
        g.withUnsafeMutableBufferPointer { g in
            conv.bind(parameters: parameters, gradients: g.baseAddress!)
            conv.algorithm = algorithm
            conv.forward(input, shape: shape, batch: batch)
            afterForward(algorithm)
            conv.backward(
                input: input, shape: shape, batch: batch, outputGradient: &dPre,
                gradientIsPreActivation: true, inputGradient: &dInput, parameterGradients: true)
        }
        inputGradients.append(dInput)
        weightGradients.append(g)
    }
    return (inputGradients, weightGradients)
}
