import COpenBLAS

/// 2-D convolution, valid padding, stride 1, weights in Keras's (kh, kw, C, K) layout.
///
/// Runs as im2col + one `cblas_sgemm` over the whole batch, or (`algorithm = .winograd`,
/// 3x3 kernels) as Winograd minimal filtering; `forwardDirect` is the plain loop kept
/// beside them as the reference the tests check the fast paths against.
public final class Conv2D: Layer {
    public let name: String
    public let filters: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let activation: Activation
    let inputChannels: Int

    private var weights: UnsafeMutablePointer<Float>!
    private var bias: UnsafeMutablePointer<Float>!
    private var weightGradient: UnsafeMutablePointer<Float>!
    private var biasGradient: UnsafeMutablePointer<Float>!

    /// One row per output pixel: the receptive field it sees, kept for backward.
    private let columns = FloatBuffer()
    private let columnGradient = FloatBuffer()
    private let pre = FloatBuffer()
    private let post = FloatBuffer()
    private let onesBuffer = FloatBuffer()
    private let transposedWeights = FloatBuffer()
    private var onesFilled = 0
    /// False after a Winograd forward: backward rebuilds the columns if it needs dWeight.
    private var columnsHoldInput = false
    /// Winograd engines by tile size (the best one depends on the input size), each with
    /// its transformed filters.
    private var winogradEngines: [Int: WinogradConvolution] = [:]

    /// Setting it (even to the same value) drops transformed filters: set it again after
    /// changing the weights.
    public var algorithm: ConvolutionAlgorithm = .im2col {
        didSet { winogradEngines = [:] }
    }

    /// Winograd pays off for 3x3 kernels once there are enough input channels to share
    /// the transforms; a one-channel layer takes the direct path below instead.
    var usesWinograd: Bool {
        algorithm == .winograd && kernelHeight == 3 && kernelWidth == 3 && inputChannels >= Self.winogradMinimumChannels
    }
    static let winogradMinimumChannels = 8

    /// A one-channel input (conv1) under `.winograd` runs as a direct convolution with
    /// the taps' weights held in vector registers: its im2col rows are a few floats
    /// long, and the GEMM over them is mostly packing.
    var usesSingleChannelDirect: Bool {
        algorithm == .winograd && inputChannels == 1 && filters % 16 == 0 && kernelHeight == 3 && kernelWidth == 3
    }

    /// The weights were updated in place (a training step): Winograd's transformed
    /// filters are recomputed, without allocating, when next used.
    public func weightsChanged() {
        for engine in winogradEngines.values { engine.filtersStale = true }
    }

    /// Under Winograd, weight gradients accumulate in the transform domain over backward
    /// calls and reach the parameter gradients at `completeWeightGradient()` (a training
    /// step's chunks pay the transform once).
    public var defersWeightGradient = false {
        didSet { for engine in winogradEngines.values { engine.defersFilterGradient = defersWeightGradient } }
    }

    /// Adds deferred weight gradients into the parameter gradients.
    public func completeWeightGradient() {
        for engine in winogradEngines.values { engine.completeFilterGradient() }
    }

    /// Forgets deferred weight gradients (the parameter gradients were zeroed).
    public func discardWeightGradient() {
        for engine in winogradEngines.values { engine.discardFilterGradient() }
    }

    private func winograd(for output: FeatureShape) -> WinogradConvolution {
        let transform = WinogradConvolution.Transform.best(outputHeight: output.height, outputWidth: output.width)
        if let engine = winogradEngines[transform.m] {
            if engine.filtersStale { engine.setFilters(weights) }
            return engine
        }
        let engine = WinogradConvolution(
            transform: transform, weights: weights, channels: inputChannels, filters: filters)
        engine.defersFilterGradient = defersWeightGradient
        winogradEngines[transform.m] = engine
        return engine
    }

    public init(
        name: String, inputChannels: Int, filters: Int, kernel: (Int, Int) = (3, 3),
        activation: Activation = .relu
    ) {
        self.name = name
        self.inputChannels = inputChannels
        self.filters = filters
        kernelHeight = kernel.0
        self.kernelWidth = kernel.1
        self.activation = activation
    }

    public var spec: LayerSpec {
        LayerSpec(name: name, kind: .conv2d, units: filters, size: [kernelHeight, kernelWidth], activation: activation)
    }

    /// Length of one im2col row: kh * kw * C.
    var patchSize: Int { kernelHeight * kernelWidth * inputChannels }
    public var parameterCount: Int { patchSize * filters + filters }
    public var weightShape: [Int] { [kernelHeight, kernelWidth, inputChannels, filters] }

    public func bind(parameters: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>) {
        weights = parameters
        bias = parameters + patchSize * filters
        weightGradient = gradients
        biasGradient = gradients + patchSize * filters
    }

    /// He initialisation: keeps activation variance steady through ReLU layers.
    public func initialize<G: RandomNumberGenerator>(inputShape: FeatureShape, using generator: inout G) {
        let std = Float((2.0 / Double(patchSize)).squareRoot())
        for i in 0..<patchSize * filters { weights[i] = std * normalSample(using: &generator) }
        bias.update(repeating: 0, count: filters)
    }

    public func outputShape(for input: FeatureShape) throws(NetworkError) -> FeatureShape {
        guard input.channels == inputChannels else {
            throw .shapeMismatch(layer: name, expected: "\(inputChannels) input channels", got: "\(input.channels)")
        }
        guard input.height >= kernelHeight, input.width >= kernelWidth else {
            throw .inputTooSmall(layer: name, input: input, needs: "at least \(kernelHeight)x\(kernelWidth)")
        }
        return FeatureShape(
            height: input.height - kernelHeight + 1, width: input.width - kernelWidth + 1,
            channels: filters)
    }

    public var preActivation: UnsafeMutablePointer<Float> { pre.pointer }
    public var output: UnsafeMutablePointer<Float> { post.pointer }

    public func activationBackward(_ gradient: UnsafeMutablePointer<Float>, count: Int) {
        activation.backward(gradient, pre: pre.pointer, out: post.pointer, rows: count / filters, units: filters)
    }

    /// The entry check of forward and backward: every path below (im2col, Winograd, the
    /// direct one-channel loop, BLAS) trusts these sizes.
    private func checkedOutput(_ shape: FeatureShape, batch: Int, _ pass: String) -> FeatureShape {
        kernelCheck(
            shape.channels == inputChannels && shape.height >= kernelHeight && shape.width >= kernelWidth,
            "Conv2D \(name).\(pass): input \(shape) does not fit \(kernelHeight)x\(kernelWidth) kernels over \(inputChannels) channels"
        )
        let out = FeatureShape(
            height: shape.height - kernelHeight + 1, width: shape.width - kernelWidth + 1, channels: filters)
        let rows = batch.multipliedReportingOverflow(by: out.height * out.width)
        kernelCheck(
            batch >= 1 && !rows.overflow && rows.partialValue <= Int(Int32.max),
            "Conv2D \(name).\(pass): batch \(batch) of \(shape) is outside what one call can hold")
        return out
    }

    // input (N, H, W, C) -> output (N, H-kh+1, W-kw+1, K)
    public func forward(_ input: UnsafePointer<Float>, shape: FeatureShape, batch: Int) {
        let out = checkedOutput(shape, batch: batch, "forward")
        let rows = batch * out.height * out.width
        let result = pre.reserve(rows * filters)
        if usesSingleChannelDirect {
            let output = post.reserve(rows * filters)
            forwardSingleChannel(
                input, shape: shape, batch: batch, into: result, activated: activation == .relu ? output : nil)
            if activation != .relu { activation.apply(result, output, rows: rows, units: filters) }
            columnsHoldInput = false
            return
        }
        if usesWinograd {
            winograd(for: out).forward(input, shape: shape, batch: batch, into: result)
            columnsHoldInput = false
        } else {
            let cols = columns.reserve(rows * patchSize)
            im2col(input, shape: shape, batch: batch, into: cols)
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(filters), Int32(patchSize),
                1, cols, Int32(patchSize), weights, Int32(filters), 0, result, Int32(filters))
            columnsHoldInput = true
        }
        activation.applyAddingBias(result, bias: bias, post.reserve(rows * filters), rows: rows, units: filters)
    }

    public func backward(
        input: UnsafePointer<Float>, shape: FeatureShape, batch: Int,
        outputGradient: UnsafeMutablePointer<Float>, gradientIsPreActivation: Bool,
        inputGradient: UnsafeMutablePointer<Float>?, parameterGradients: Bool
    ) {
        let out = checkedOutput(shape, batch: batch, "backward")
        let rows = batch * out.height * out.width
        let dPre = outputGradient
        if !gradientIsPreActivation {
            activation.backward(dPre, pre: pre.pointer, out: post.pointer, rows: rows, units: filters)
        }
        if parameterGradients {
            // dBias += column sums of dPre, as a GEMV against ones
            let ones = onesBuffer.reserve(rows)
            if onesFilled < rows {
                ones.update(repeating: 1, count: rows)
                onesFilled = rows
            }
            cblas_sgemv(
                CblasRowMajor, CblasTrans, Int32(rows), Int32(filters), 1, dPre, Int32(filters), ones, 1, 1,
                biasGradient, 1)
        }
        if usesWinograd {
            // Both gradients from the transform domain, in one pass over the tiles.
            winograd(for: out).backward(
                dPre, input: input, shape: shape, batch: batch, inputGradient: inputGradient,
                weightGradient: parameterGradients ? weightGradient : nil)
            return
        }
        if parameterGradients && usesSingleChannelDirect {
            weightGradientSingleChannel(input, dPre, shape: shape, batch: batch)
        } else if parameterGradients {
            if !columnsHoldInput {
                im2col(input, shape: shape, batch: batch, into: columns.reserve(rows * patchSize))
                columnsHoldInput = true
            }
            // dW (P, K) += columns^T (P, rows) x dPre (rows, K)
            cblas_sgemm(
                CblasRowMajor, CblasTrans, CblasNoTrans, Int32(patchSize), Int32(filters), Int32(rows),
                1, columns.pointer, Int32(patchSize), dPre, Int32(filters), 1, weightGradient, Int32(filters))
        }
        if let inputGradient, usesSingleChannelDirect {
            backwardSingleChannel(dPre, shape: shape, batch: batch, into: inputGradient)
        } else if let inputGradient {
            // dColumns (rows, P) = dPre (rows, K) x W^T (K, P), then scatter back to pixels
            let dCols = columnGradient.reserve(rows * patchSize)
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(patchSize), Int32(filters),
                1, dPre, Int32(filters), weights, Int32(filters), 0, dCols, Int32(patchSize))
            col2im(dCols, shape: shape, batch: batch, into: inputGradient)
        }
    }

    // input (N, H, W, 1) -> pre-activation (N, H-2, W-2, K), bias included; 3x3 kernels.
    // With `activated`, its ReLU too, in the same pass (this is the network's largest map).
    func forwardSingleChannel(
        _ input: UnsafePointer<Float>, shape: FeatureShape, batch: Int, into result: UnsafeMutablePointer<Float>,
        activated: UnsafeMutablePointer<Float>? = nil
    ) {
        let outH = shape.height - 2, outW = shape.width - 2, k = filters, w = shape.width
        for group in stride(from: 0, to: k, by: 16) {
            // Nine taps x 16 filters stay in registers for the whole image.
            let f = weights + group
            let w0 = VectorKernels.load(f), w1 = VectorKernels.load(f + k), w2 = VectorKernels.load(f + 2 * k)
            let w3 = VectorKernels.load(f + 3 * k), w4 = VectorKernels.load(f + 4 * k)
            let w5 = VectorKernels.load(f + 5 * k), w6 = VectorKernels.load(f + 6 * k)
            let w7 = VectorKernels.load(f + 7 * k), w8 = VectorKernels.load(f + 8 * k)
            let b = VectorKernels.load(bias + group)
            for n in 0..<batch {
                let image = input + n * shape.count
                for oy in 0..<outH {
                    let offset = ((n * outH + oy) * outW) * k + group
                    var out = result + offset
                    var relu = activated.map { $0 + offset }
                    for ox in 0..<outW {
                        let r0 = image + oy * w + ox, r1 = r0 + w, r2 = r1 + w
                        var sum = b
                        sum.addProduct(SIMD16(repeating: r0[0]), w0)
                        sum.addProduct(SIMD16(repeating: r0[1]), w1)
                        sum.addProduct(SIMD16(repeating: r0[2]), w2)
                        sum.addProduct(SIMD16(repeating: r1[0]), w3)
                        sum.addProduct(SIMD16(repeating: r1[1]), w4)
                        sum.addProduct(SIMD16(repeating: r1[2]), w5)
                        sum.addProduct(SIMD16(repeating: r2[0]), w6)
                        sum.addProduct(SIMD16(repeating: r2[1]), w7)
                        sum.addProduct(SIMD16(repeating: r2[2]), w8)
                        VectorKernels.store(sum, out)
                        out += k
                        if let r = relu {
                            VectorKernels.store(sum.replacing(with: 0, where: sum .<= 0), r)
                            relu = r + k
                        }
                    }
                }
            }
        }
    }

    /// dW += the nine taps' correlations of a one-channel input with dPre, for 16 filters
    /// at a time in registers: no columns, and none of the skinny (9 x K) GEMM's packing.
    func weightGradientSingleChannel(
        _ input: UnsafePointer<Float>, _ dPre: UnsafePointer<Float>, shape: FeatureShape, batch: Int
    ) {
        let outH = shape.height - 2, outW = shape.width - 2, k = filters, w = shape.width
        for group in stride(from: 0, to: k, by: 16) {
            var a0 = SIMD16<Float>(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0
            for n in 0..<batch {
                let image = input + n * shape.count
                for oy in 0..<outH {
                    var d = dPre + ((n * outH + oy) * outW) * k + group
                    for ox in 0..<outW {
                        let g = VectorKernels.load(d)
                        let r0 = image + oy * w + ox, r1 = r0 + w, r2 = r1 + w
                        a0.addProduct(SIMD16(repeating: r0[0]), g)
                        a1.addProduct(SIMD16(repeating: r0[1]), g)
                        a2.addProduct(SIMD16(repeating: r0[2]), g)
                        a3.addProduct(SIMD16(repeating: r1[0]), g)
                        a4.addProduct(SIMD16(repeating: r1[1]), g)
                        a5.addProduct(SIMD16(repeating: r1[2]), g)
                        a6.addProduct(SIMD16(repeating: r2[0]), g)
                        a7.addProduct(SIMD16(repeating: r2[1]), g)
                        a8.addProduct(SIMD16(repeating: r2[2]), g)
                        d += k
                    }
                }
            }
            let target = weightGradient + group
            func add(_ sum: SIMD16<Float>, tap: Int) {
                VectorKernels.store(VectorKernels.load(target + tap * k) + sum, target + tap * k)
            }
            add(a0, tap: 0)
            add(a1, tap: 1)
            add(a2, tap: 2)
            add(a3, tap: 3)
            add(a4, tap: 4)
            add(a5, tap: 5)
            add(a6, tap: 6)
            add(a7, tap: 7)
            add(a8, tap: 8)
        }
    }

    /// d(input) for a one-channel input: dColumns = dPre x W^T as a not-transposed GEMM
    /// (W^T is 9 x K, rebuilt each call so it never goes stale), then every tap's column
    /// added back along whole output rows, so no two adds in a row touch the same pixel.
    func backwardSingleChannel(
        _ dPre: UnsafePointer<Float>, shape: FeatureShape, batch: Int, into target: UnsafeMutablePointer<Float>
    ) {
        let outH = shape.height - 2, outW = shape.width - 2, k = filters
        let rows = batch * outH * outW
        let wt = transposedWeights.reserve(9 * k)
        for t in 0..<9 {
            for f in 0..<k { wt[f * 9 + t] = weights[t * k + f] }
        }
        let dCols = columnGradient.reserve(rows * 9)
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), 9, Int32(k),
            1, dPre, Int32(k), wt, 9, 0, dCols, 9)
        target.update(repeating: 0, count: batch * shape.count)
        for n in 0..<batch {
            for oy in 0..<outH {
                let source = dCols + (n * outH + oy) * outW * 9
                for ky in 0..<3 {
                    let row = target + n * shape.count + (oy + ky) * shape.width
                    for kx in 0..<3 {
                        let column = source + ky * 3 + kx, shifted = row + kx
                        for ox in 0..<outW { shifted[ox] += column[ox * 9] }
                    }
                }
            }
        }
    }

    /// Each output pixel's kh x kw x C window as one row; a window row is kw*C contiguous floats.
    func im2col(_ input: UnsafePointer<Float>, shape: FeatureShape, batch: Int, into cols: UnsafeMutablePointer<Float>)
    {
        let outH = shape.height - kernelHeight + 1, outW = shape.width - kernelWidth + 1
        let c = shape.channels, span = kernelWidth * c, p = patchSize
        for n in 0..<batch {
            let image = input + n * shape.count
            var row = cols + n * outH * outW * p
            for oy in 0..<outH {
                for ox in 0..<outW {
                    for ky in 0..<kernelHeight {
                        // A loop, not memmove: conv1's rows are 3 floats, too short for a call.
                        let source = image + ((oy + ky) * shape.width + ox) * c, target = row + ky * span
                        for j in 0..<span { target[j] = source[j] }
                    }
                    row += p
                }
            }
        }
    }

    func col2im(_ cols: UnsafePointer<Float>, shape: FeatureShape, batch: Int, into target: UnsafeMutablePointer<Float>)
    {
        let outH = shape.height - kernelHeight + 1, outW = shape.width - kernelWidth + 1
        let c = shape.channels, span = kernelWidth * c, p = patchSize
        for n in 0..<batch {
            let image = target + n * shape.count
            image.update(repeating: 0, count: shape.count)
            var row = cols + n * outH * outW * p
            for oy in 0..<outH {
                for ox in 0..<outW {
                    for ky in 0..<kernelHeight {
                        VectorKernels.add(
                            row + ky * span, into: image + ((oy + ky) * shape.width + ox) * c, count: span)
                    }
                    row += p
                }
            }
        }
    }

    /// The reference: a direct sum over the window, no im2col, no BLAS. Writes pre-activations.
    func forwardDirect(_ input: UnsafePointer<Float>, shape: FeatureShape, batch: Int) -> [Float] {
        // Cannot throw: the model was checked for its own input shape when built.
        let out = try! outputShape(for: shape)
        var result = [Float](repeating: 0, count: batch * out.count)
        let c = shape.channels
        for n in 0..<batch {
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    for k in 0..<filters {
                        var sum = Double(bias[k])
                        for ky in 0..<kernelHeight {
                            for kx in 0..<kernelWidth {
                                for ci in 0..<c {
                                    let x = input[n * shape.count + ((oy + ky) * shape.width + ox + kx) * c + ci]
                                    let w = weights[((ky * kernelWidth + kx) * c + ci) * filters + k]
                                    sum += Double(x) * Double(w)
                                }
                            }
                        }
                        result[n * out.count + (oy * out.width + ox) * filters + k] = Float(sum)
                    }
                }
            }
        }
        return result
    }
}
