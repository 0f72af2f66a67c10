import COpenBLAS
import Foundation

/// OpenBLAS controls and a raw sgemm probe (the machine's attainable FLOP rate).
public enum BLAS {
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
