extension Sequential {
    /// Multiply-adds x 2 of one forward pass per sample, for each layer.
    public func forwardFLOPs(for shape: FeatureShape? = nil) -> [Double] {
        var current = shape ?? inputShape
        return layers.map { layer in
            // Cannot throw: the network was built by walking these shapes from inputShape.
            let out = try! layer.outputShape(for: current)
            defer { current = out }
            switch layer {
            case let conv as Conv2D:
                return 2 * Double(out.count) * Double(conv.kernelHeight * conv.kernelWidth * current.channels)
            case let dense as Dense: return 2 * Double(dense.inputs * dense.units)
            default: return 0
            }
        }
    }

    /// FLOPs of one training step per sample: forward, weight gradients, and input
    /// gradients for every layer but the first.
    public func trainingFLOPs() -> Double {
        let forward = forwardFLOPs()
        let total = forward.reduce(0, +)
        let firstParametrised = forward.firstIndex { $0 > 0 } ?? 0
        return total * 3 - forward[firstParametrised]
    }
}
