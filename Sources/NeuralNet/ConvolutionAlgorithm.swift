/// How a `Conv2D` computes its forward pass and its input gradient.
public enum ConvolutionAlgorithm: String, Sendable, CaseIterable {
    /// im2col + one sgemm. Keeps the columns the weight gradient needs: training uses it.
    case im2col
    /// Winograd minimal filtering for 3x3 kernels with 8 or more input channels: 3.2-3.4x
    /// fewer multiplications for the forward pass and the input gradient (the dream
    /// loop's work); a 3x3 layer on a one-channel input runs as a direct convolution. The
    /// filters are transformed when it is chosen; choose it again after the weights change.
    case winograd
}
