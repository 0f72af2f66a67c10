import Dispatch
import Foundation

/// Data parallelism over the batch: one replica of the network per core, all on the same
/// parameters, each running a contiguous slice of the batch with single-threaded BLAS.
///
/// Measured faster than one network with OpenBLAS's own threads: the small GEMMs of a
/// 28x28 CNN spend much of their time in OpenBLAS's thread hand-offs, and the
/// element-wise layers (im2col, pooling, ReLU) get both cores this way too.
public final class DataParallel {
    public let replicas: [Sequential]

    /// With `convolution`, every replica is a new one that computes that way (the
    /// caller's model is left as it is); without, the first replica is `model` itself.
    public init(model: Sequential, workers: Int = Parallelism.cores, convolution: ConvolutionAlgorithm? = nil) {
        if let convolution {
            replicas = (0..<max(workers, 1)).map { _ in
                let replica = model.replica()
                replica.convolutionAlgorithm = convolution
                return replica
            }
        } else {
            replicas = [model] + (1..<max(workers, 1)).map { _ in model.replica() }
        }
        BLAS.setThreads(1)
    }

    public var model: Sequential { replicas[0] }

    /// Runs `body(worker, replica, slice)` concurrently for the slices `batch` splits
    /// into: one per replica, none smaller than `minimum` (computed, not stored: no
    /// array per step).
    public func run(batch: Int, minimum: Int = 4, _ body: (Int, Sequential, Range<Int>) -> Void) {
        let count = max(1, min(replicas.count, batch / max(minimum, 1)))
        if count == 1 {
            body(0, replicas[0], 0..<batch)
            return
        }
        DispatchQueue.concurrentPerform(iterations: count) { worker in
            body(worker, replicas[worker], (worker * batch / count)..<((worker + 1) * batch / count))
        }
    }

    /// Runs `body(worker, replica, chunk)` for chunks 0..<`count`, each worker taking a
    /// contiguous run of them. The caller fixes what a chunk is (e.g. samples 4k..<4k+4),
    /// so every chunk is computed the same way whatever the worker count: results do not
    /// depend on it. `workers` limits the replicas used (nil: all).
    public func forEachChunk(_ count: Int, workers limit: Int? = nil, _ body: (Int, Sequential, Int) -> Void) {
        let workers = max(1, min(replicas.count, count, limit ?? replicas.count))
        if workers == 1 {
            for chunk in 0..<count { body(0, replicas[0], chunk) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for chunk in (worker * count / workers)..<((worker + 1) * count / workers) {
                body(worker, replicas[worker], chunk)
            }
        }
    }

    /// Adds every replica's parameter gradients into the first one's.
    public func reduceGradients() {
        let target = replicas[0].gradients.pointer
        for replica in replicas.dropFirst() {
            let source = replica.gradients.pointer
            for i in 0..<replicas[0].parameterCount { target[i] += source[i] }
        }
    }
}
