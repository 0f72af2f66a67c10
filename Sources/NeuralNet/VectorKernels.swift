/// The element-wise loops of the layers, kept branch-free so that the compiler can
/// vectorise them, or written with explicit 16-lane vectors where it would not.
public enum VectorKernels {
    /// out = max(x, 0)
    @inline(__always)
    static func relu(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = max(x[i], 0) }
    }

    /// g = pre > 0 ? g : 0
    @inline(__always)
    static func reluMask(_ g: UnsafeMutablePointer<Float>, pre: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { g[i] = pre[i] > 0 ? g[i] : 0 }
    }

    /// y += a * x
    @inline(__always)
    public static func axpy(_ a: Float, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += a * x[i] }
    }

    /// sum of x^2, in 16 partial sums: one running sum is a chain of dependent adds
    /// that the compiler may not reorder (no fast-math), 4 cycles per element.
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var partial = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            partial.addProduct(v, v)
            i += 16
        }
        var sum = partial.sum()
        while i < count {
            sum += x[i] * x[i]
            i += 1
        }
        return sum
    }

    /// The mean of |x|: the scale the gradient steps normalise by. Summed in fixed chunks
    /// whose partial sums are added in order: the same bits on any machine, and no
    /// precision lost to one running Float sum over millions of pixels.
    public static func meanAbs(_ x: UnsafePointer<Float>, count: Int) -> Float {
        let chunk = 4096
        var total = 0.0
        for start in stride(from: 0, to: count, by: chunk) {
            var sum: Float = 0
            for i in start..<min(start + chunk, count) { sum += abs(x[i]) }
            total += Double(sum)
        }
        return Float(total / Double(max(count, 1)))
    }

    /// dst += src
    @inline(__always)
    static func add(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dst[i] += src[i] }
    }

    /// Max-pool 2x2 backward for one window: the first input equal to the pooled value
    /// takes the gradient, the other three get zero. Explicit 16-lane vectors: the plain
    /// loop compiled to scalar code (the compiler would not prove the seven pointers
    /// apart), which made this the costliest element-wise pass of the dream loop.
    @inline(__always)
    static func route2x2(
        best: UnsafePointer<Float>, gradient: UnsafePointer<Float>, input: UnsafePointer<Float>,
        target: UnsafeMutablePointer<Float>, rowStride: Int, channels c: Int
    ) {
        let i1 = input + c, i2 = input + rowStride
        let t1 = target + c, t2 = target + rowStride, t3 = target + rowStride + c
        let zero = SIMD16<Float>()
        var ch = 0
        while ch + 16 <= c {
            let b = load(best + ch), g = load(gradient + ch)
            let m0 = load(input + ch) .== b
            let m1 = (load(i1 + ch) .== b) .& .!m0
            let taken = m0 .| m1
            let m2 = (load(i2 + ch) .== b) .& .!taken
            let m3 = .!(taken .| m2)
            store(zero.replacing(with: g, where: m0), target + ch)
            store(zero.replacing(with: g, where: m1), t1 + ch)
            store(zero.replacing(with: g, where: m2), t2 + ch)
            store(zero.replacing(with: g, where: m3), t3 + ch)
            ch += 16
        }
        while ch < c {
            let b = best[ch], g = gradient[ch]
            let w0 = input[ch] == b, w1 = !w0 && i1[ch] == b, w2 = !w0 && !w1 && i2[ch] == b
            target[ch] = w0 ? g : 0
            t1[ch] = w1 ? g : 0
            t2[ch] = w2 ? g : 0
            t3[ch] = w0 || w1 || w2 ? 0 : g
            ch += 1
        }
    }

    /// Max-pool 2x2 forward for one window, `channels` a multiple of 16: max(max(max(a, b), c), d)
    /// per channel, the scalar loop's order, in 16-lane vectors.
    @inline(__always)
    static func max2x2(
        _ input: UnsafePointer<Float>, rowStride: Int, channels c: Int, into output: UnsafeMutablePointer<Float>
    ) {
        let i1 = input + c, i2 = input + rowStride, i3 = input + rowStride + c
        for ch in stride(from: 0, to: c, by: 16) {
            var m = load(input + ch)
            m = pointwiseMax(m, load(i1 + ch))
            m = pointwiseMax(m, load(i2 + ch))
            m = pointwiseMax(m, load(i3 + ch))
            store(m, output + ch)
        }
    }

    /// max(a, b) per lane exactly as Swift's `max` picks it: b where b >= a, else a.
    @inline(__always)
    static func pointwiseMax(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        a.replacing(with: b, where: b .>= a)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }
}
