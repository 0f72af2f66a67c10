import Dispatch

/// Runs `body` over 0..<count split into one contiguous chunk per core; small counts
/// run inline, where a thread hop would cost more than it saves.
@inline(__always)
func parallelChunks(_ count: Int, minimumPerChunk: Int = 2, _ body: (Range<Int>) -> Void) {
    let chunks = min(Parallelism.cores, count / minimumPerChunk)
    if chunks <= 1 {
        body(0..<count)
        return
    }
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        body((chunk * count / chunks)..<((chunk + 1) * count / chunks))
    }
}

/// How many cores the element-wise loops spread over.
public enum Parallelism {
    nonisolated(unsafe) public static var cores: Int = ProcessInfo.processInfo.activeProcessorCount
}

import Foundation
