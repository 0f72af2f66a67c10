/// Checks a numeric kernel's inputs once, at its entry.
///
/// This module is built with -Ounchecked in release, where `precondition` is assumed true
/// and removed; a wrong shape would then read out of bounds. `fatalError` survives every
/// optimisation level, so a caller's bug stops with this message instead. User-supplied
/// sizes never get this far: files and flags are validated before any kernel runs.
@inline(__always)
func kernelCheck(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #file,
    line: UInt = #line
) {
    if _slowPath(!condition()) { fatalError(message(), file: file, line: line) }
}
