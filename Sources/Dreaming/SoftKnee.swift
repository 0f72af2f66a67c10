import Imaging

/// The arithmetic of the soft range step (`RangeAdjustment.soft`), cheap at full size: the
/// shift that keeps the mean is solved on an evenly spread sample of at most
/// `sampleLimit` pixels, checked on every pixel (and solved there in the rare case the
/// sample misleads), then applied in one pass. Samples and sums depend on the image size
/// only, never on the worker count; the arithmetic is plain IEEE (no libm), so the bytes
/// are the same on any machine.
struct SoftKnee {
    var low: Float
    var high: Float
    var workers: Int

    /// The mean change left after the shift, at most (on the whole image).
    static let tolerance: Float = 1e-4
    /// Pixels the shift is solved on: 4 MB per plane, a few ms per secant step.
    static let sampleLimit = 1 << 20
    /// The sample is taken in runs of this many consecutive pixels (one cache line): single
    /// strided pixels would each cost a cache line of memory traffic.
    static let run = 16

    init(limits: RangeAdjustment.Limits, workers: Int) {
        (low, high, self.workers) = (limits.low, limits.high, workers)
    }

    /// Pixels the shift is solved on: all of a small image, else `sampleLimit` of them in
    /// runs spread evenly over the image.
    struct Sample {
        var values: [Float]
        var reference: [Float]
        /// Every pixel of the image is in the sample.
        var complete: Bool

        init(_ values: UnsafeBufferPointer<Float>, reference: UnsafeBufferPointer<Float>, workers: Int) {
            let count = values.count
            complete = count <= SoftKnee.sampleLimit
            guard !complete else {
                self.values = Array(values)
                self.reference = Array(reference)
                return
            }
            let run = SoftKnee.run, runs = SoftKnee.sampleLimit / run
            func gather(_ source: UnsafeBufferPointer<Float>) -> [Float] {
                [Float](unsafeUninitializedCapacity: runs * run) { out, n in
                    Bands.run(runs, workers: workers, minimum: 4096) { range in
                        for j in range {
                            let start = j * count / runs
                            for k in 0..<run { out[j * run + k] = source[start + k] }
                        }
                    }
                    n = runs * run
                }
            }
            self.values = gather(values)
            self.reference = gather(reference)
        }
    }

    /// The change of one pixel, the dream's change scaled by `factor` first (as
    /// `reference + (value - reference) * factor` would give it).
    @inline(__always)
    static func change(_ v: Float, _ r: Float, factor: Float) -> Float {
        (factor == 1 ? v : r + (v - r) * factor) - r
    }

    /// The soft knee for one pixel of value `r` changed by `d`: up to half the room to the
    /// limit unchanged, beyond it bent (tanh) towards the limit. Branch-free, so the loops
    /// vectorise.
    @inline(__always)
    func knee(_ d: Float, _ r: Float) -> Float {
        let room = d > 0 ? high - r : r - low
        let magnitude = abs(d), bend = 0.5 * room
        let rolled = bend + (room - bend) * Self.tanh((magnitude - bend) / (room - bend))
        let bent = magnitude <= bend ? d : (d > 0 ? rolled : -rolled)
        return room > 0 ? bent : 0
    }

    /// tanh in plain Float arithmetic, within 3e-7 of the exact value everywhere: an odd
    /// polynomial near zero (Cephes' tanhf), `1 - 2 / (e^2|x| + 1)` beyond. No branches and
    /// no libm call, so it vectorises and gives the same bits on every machine.
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        // tanh(10) rounds to 1; the clamp keeps exp finite (and a NaN from a skipped lane harmless).
        let a = min(abs(x), 10)
        let z = a * a
        var p: Float = -5.70498872745e-3
        p = p * z + 2.06390887954e-2
        p = p * z - 5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z - 3.33332819422e-1
        let small = p * z * a + a
        let large = 1 - 2 / (exp(2 * a) + 1)
        let t = a < 0.625 ? small : large
        return x < 0 ? -t : t
    }

    /// e^x for 0 <= x <= 20 (Cephes' expf): x = k ln2 + r with |r| <= ln2/2, a polynomial
    /// for e^r, 2^k put into the exponent bits.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        // Adding 1.5 * 2^23 rounds to an integer, which lands in the low mantissa bits.
        let shifter: Float = 12_582_912
        let t = x * 1.442_695_04 + shifter
        let k = t - shifter
        let r = (x - k * 0.693_359_375) - k * -2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        let er = p * (r * r) + r + 1
        let scale = Float(bitPattern: (t.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
        return er * scale
    }

    /// The mean of the knee's output over `values` changed by `factor` and `shift`,
    /// summed in fixed chunks.
    func meanAfter(
        shift: Float, values: UnsafeBufferPointer<Float>, reference: UnsafeBufferPointer<Float>, factor: Float
    ) -> Float {
        let count = values.count
        let sum = Bands.sum(count, workers: workers) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 1024) { block in
                var sum = 0.0
                for start in stride(from: range.lowerBound, to: range.upperBound, by: 1024) {
                    let n = min(1024, range.upperBound - start)
                    knees(
                        shift: shift, values: values.baseAddress! + start, reference: reference.baseAddress! + start,
                        into: block.baseAddress!, count: n, factor: factor)
                    sum += Self.sum(block.baseAddress!, n)
                }
                return sum
            }
        }
        return Float(sum / Double(max(count, 1)))
    }

    /// The knee's output for `count` pixels, into a separate buffer (one plain loop: it vectorises).
    @inline(__always)
    func knees(
        shift: Float, values: UnsafePointer<Float>, reference: UnsafePointer<Float>,
        into out: UnsafeMutablePointer<Float>,
        count: Int, factor: Float
    ) {
        for i in 0..<count {
            let r = reference[i]
            out[i] = knee(Self.change(values[i], r, factor: factor) + shift, r)
        }
    }

    /// A Double sum of `count` floats in four interleaved lanes, added in a fixed order
    /// (one running sum would wait for each add).
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, _ count: Int) -> Double {
        var lanes = SIMD4<Double>()
        var i = 0
        while i + 4 <= count {
            lanes += SIMD4(Double(x[i]), Double(x[i + 1]), Double(x[i + 2]), Double(x[i + 3]))
            i += 4
        }
        var total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
        while i < count {
            total += Double(x[i])
            i += 1
        }
        return total
    }

    /// Secant steps on the mean change after the knee, which is monotonic in the shift,
    /// from `s0` (error `e0`): a few evaluations. Returns the best shift found.
    static func secant(
        from s0: Float, error e0: Float, tolerance: Float, _ meanAfter: (Float) -> Float
    ) -> (shift: Float, error: Float) {
        var (s0, e0) = (s0, e0)
        guard abs(e0) > tolerance else { return (s0, e0) }
        var s1 = s0 - e0
        var e1 = meanAfter(s1)
        for _ in 0..<6 where abs(e1) > tolerance && e1 != e0 {
            let next = s1 - e1 * (s1 - s0) / (e1 - e0)
            (s0, e0, s1) = (s1, e1, next)
            e1 = meanAfter(s1)
        }
        return abs(e1) < abs(e0) ? (s1, e1) : (s0, e0)
    }

    /// The shift that keeps the mean of `sample` (values changed by `factor`).
    func shift(on sample: Sample, factor: Float, tolerance: Float) -> (shift: Float, error: Float) {
        sample.values.withUnsafeBufferPointer { values in
            sample.reference.withUnsafeBufferPointer { reference in
                var total = 0.0
                for i in values.indices { total += Double(Self.change(values[i], reference[i], factor: factor)) }
                let s0 = -Float(total / Double(max(values.count, 1)))
                let mean = { meanAfter(shift: $0, values: values, reference: reference, factor: factor) }
                return Self.secant(from: s0, error: mean(s0), tolerance: tolerance, mean)
            }
        }
    }

    /// The shift that keeps the mean of the whole image within `tolerance`: solved on the
    /// sample (to a quarter of it), checked on every pixel.
    func shift(values: UnsafeBufferPointer<Float>, reference: UnsafeBufferPointer<Float>, factor: Float) -> Float {
        let sample = Sample(values, reference: reference, workers: workers)
        let tolerance = Self.tolerance
        let solved = shift(on: sample, factor: factor, tolerance: sample.complete ? tolerance : tolerance / 4)
        if sample.complete { return solved.shift }
        let mean = { meanAfter(shift: $0, values: values, reference: reference, factor: factor) }
        return Self.secant(from: solved.shift, error: mean(solved.shift), tolerance: tolerance, mean).shift
    }

    /// `values` (changed by `factor`) become `reference` plus the knee of their change plus `shift`.
    func apply(
        shift: Float, to values: UnsafeMutableBufferPointer<Float>, reference: UnsafeBufferPointer<Float>,
        factor: Float
    ) {
        Bands.run(values.count, workers: workers) { range in
            for i in range {
                let r = reference[i]
                values[i] = r + knee(Self.change(values[i], r, factor: factor) + shift, r)
            }
        }
    }

    /// The RMS change of the sample after scaling the change by `factor`, the range step and
    /// the sample's own mean-keeping shift: what `apply` would give, measured on the sample.
    func rmsChange(of sample: Sample, factor: Float) -> Float {
        let shift = shift(on: sample, factor: factor, tolerance: sample.complete ? Self.tolerance : Self.tolerance / 4)
            .shift
        let sum = sample.values.withUnsafeBufferPointer { values in
            sample.reference.withUnsafeBufferPointer { reference in
                Bands.sum(values.count, workers: workers) { range in
                    var sum = 0.0
                    for i in range {
                        let r = reference[i]
                        let d = Double((r + knee(Self.change(values[i], r, factor: factor) + shift, r)) - r)
                        sum += d * d
                    }
                    return sum
                }
            }
        }
        return Float((sum / Double(max(sample.values.count, 1))).squareRoot())
    }
}
