/// The training loss on softmax outputs: mean of -log p(label) over the batch.
public enum SoftmaxCrossEntropy {
    /// Returns the mean loss and writes d(loss)/d(logits) = (p - onehot) / N, the combined
    /// softmax + cross-entropy derivative (simpler and stabler than chaining the two).
    /// `normalizer` is the whole batch's size when this is one slice of it.
    public static func loss(
        probabilities: UnsafePointer<Float>, labels: UnsafePointer<UInt8>, batch: Int,
        classes: Int, logitGradient: UnsafeMutablePointer<Float>, normalizer: Int? = nil
    ) -> Float {
        var total: Double = 0
        let scale = 1 / Float(normalizer ?? batch)
        for n in 0..<batch {
            let label = Int(labels[n])
            let p = probabilities + n * classes
            total -= Double(log(max(p[label], 1e-12)))
            for k in 0..<classes { logitGradient[n * classes + k] = (p[k] - (k == label ? 1 : 0)) * scale }
        }
        return Float(total / Double(batch))
    }
}

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif
