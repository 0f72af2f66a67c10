import Dreaming
import Foundation

/// Progress for long jobs: one self-overwriting line on a terminal, a plain line every
/// few seconds otherwise (logs, CI).
final class ProgressLine {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastPrint = Date.distantPast
    private let interval: TimeInterval
    var quiet = false

    init(interval: TimeInterval = 5) { self.interval = interval }

    func update(_ text: @autoclosure () -> String, force: Bool = false) {
        if quiet { return }
        let now = Date()
        if isTerminal {
            guard force || now.timeIntervalSince(lastPrint) > 0.1 else { return }
            lastPrint = now
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text()).utf8))
        } else {
            guard force || now.timeIntervalSince(lastPrint) > interval else { return }
            lastPrint = now
            FileHandle.standardError.write(Data((text() + "\n").utf8))
        }
    }

    /// Ends the overwriting line so the next output starts clean.
    func finish() {
        if isTerminal && !quiet { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--" }
        let s = Int(seconds.rounded())
        return s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }

    /// "octave 3/4 (640x427), step 5/15 [########............] 43% ETA 1m20s": the ETA
    /// from the time so far and the fraction of the work done.
    static func describe(_ progress: RenderProgress, elapsed: Double) -> String {
        let f = progress.fraction
        let eta = f > 0.01 ? elapsed * (1 - f) / f : .infinity
        return "\(progress) \(bar(f)) \(Int((f * 100).rounded(.down)))% ETA \(duration(eta))"
    }

    static func bar(_ fraction: Double, width: Int = 20) -> String {
        let filled = Int((fraction * Double(width)).rounded())
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }
}

/// Set by SIGINT; long loops poll it and stop at a safe point.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

func installInterruptHandler() {
    signal(SIGINT) { _ in
        if interruptRequested != 0 { exit(130) }  // a second Ctrl-C stops at once
        interruptRequested = 1
    }
}
