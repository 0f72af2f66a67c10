/// The taps of a 1-D resampling from `inputSize` to `outputSize` pixels: for output pixel
/// `i`, `taps` source indices and weights at `i * taps`. Computed once per axis and size.
struct ResamplingWeights {
    let inputSize: Int
    let outputSize: Int
    let taps: Int
    let indices: [Int32]
    let weights: [Float]

    init(inputSize: Int, outputSize: Int, kernel: ResamplingKernel, edge: EdgeMode) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        let scale = Double(inputSize) / Double(outputSize)
        if kernel == .nearest {
            taps = 1
            indices = (0..<outputSize).map { Int32(min(Int((Double($0) + 0.5) * scale), inputSize - 1)) }
            weights = [Float](repeating: 1, count: outputSize)
            return
        }
        // Downscaling widens the kernel by the scale: an antialiasing low-pass, as in Pillow.
        let filterScale = max(scale, 1)
        let support = kernel.support * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        var indices = [Int32](repeating: 0, count: outputSize * taps)
        var weights = [Float](repeating: 0, count: outputSize * taps)
        var row = [Double](repeating: 0, count: taps)
        for i in 0..<outputSize {
            let center = (Double(i) + 0.5) * scale
            // Same integer rounding of the window as Pillow (truncation toward zero).
            var first = Int(center - support + 0.5)
            var last = Int(center + support + 0.5)
            if edge == .renormalize {
                first = max(first, 0)
                last = min(last, inputSize)
            } else if center - support + 0.5 < 0 {
                first = Int((center - support + 0.5).rounded(.down))
            }
            let count = min(last - first, taps)
            var sum = 0.0
            for k in 0..<count {
                let w = kernel.weight((Double(k + first) - center + 0.5) / filterScale)
                row[k] = w
                sum += w
            }
            for k in 0..<taps {
                let w = k < count && sum != 0 ? row[k] / sum : 0
                weights[i * taps + k] = Float(w)
                indices[i * taps + k] = Int32(edge.map(k < count ? first + k : first, count: inputSize))
            }
        }
        self.taps = taps
        self.indices = indices
        self.weights = weights
    }
}
