import Dispatch

/// Work over a photo's pixels or rows on several threads. Elementwise work gives the
/// same result however it is split; sums are taken over chunks fixed by the count alone
/// and added in order, so they too do not depend on the worker count.
public enum Bands {
    /// Below this many items a job runs on the calling thread: a thread hand-off costs more.
    public static let minimumItems = 65_536

    /// `body` for consecutive ranges covering `0..<count`, one range per worker (at most
    /// `workers`, none under `minimum` items).
    public static func run(_ count: Int, workers: Int, minimum: Int = minimumItems, _ body: (Range<Int>) -> Void) {
        let parts = max(1, min(workers, count / max(minimum, 1)))
        if parts == 1 {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            body((part * count / parts)..<((part + 1) * count / parts))
        }
    }

    /// The sum of `term(range)` over chunks of `chunk` items covering `0..<count`, added
    /// in chunk order: the same Double on any worker count.
    public static func sum(
        _ count: Int, chunk: Int = minimumItems, workers: Int, _ term: (Range<Int>) -> Double
    ) -> Double {
        let chunks = max(1, (count + chunk - 1) / chunk)
        var partial = [Double](repeating: 0, count: chunks)
        partial.withUnsafeMutableBufferPointer { partial in
            run(chunks, workers: workers, minimum: 1) { range in
                for c in range { partial[c] = term((c * chunk)..<min(count, (c + 1) * chunk)) }
            }
        }
        return partial.reduce(0, +)
    }
}
