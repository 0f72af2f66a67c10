import COpenBLAS
import Foundation

/// OpenBLAS controls, a raw sgemm probe (the machine's attainable FLOP rate), and the
/// one product the modules above NeuralNet need.
public enum BLAS {
    /// c (m x n) = a (m x k) times the transpose of b (n x k), all row-major: every row of
    /// `a` against every row of `b` (the guide term's dot products).
    public static func multiplyTransposed(
        _ a: UnsafePointer<Float>, rows m: Int, by b: UnsafePointer<Float>, rows n: Int, columns k: Int,
        into c: UnsafeMutablePointer<Float>
    ) {
        kernelCheck(
            m >= 0 && n >= 0 && k >= 1 && m <= Int(Int32.max) && n <= Int(Int32.max) && k <= Int(Int32.max),
            "BLAS.multiplyTransposed: \(m)x\(k) by \(n)x\(k) is out of range")
        guard m > 0, n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(k), 0, c,
            Int32(n))
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }

    public static func setThreads(_ count: Int) { openblas_set_num_threads(Int32(count)) }

    /// GFLOP/s of an n x n x n sgemm, best of `repeats`.
    public static func sgemmGFLOPS(size n: Int = 1024, repeats: Int = 5) -> Double {
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0,
                &c, Int32(n))
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return 2 * Double(n * n * n) / best / 1e9
    }
}
