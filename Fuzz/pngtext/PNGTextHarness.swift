import Dreaming
import FuzzSupport

/// Any bytes as a render whose settings `--from` reads: libpng's text chunks (tEXt, zTXt,
/// iTXt under the shim's limits), then the JSON in `dream:settings`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNGText(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzInput.file([UInt8](fuzzInput: data, count: size), named: "input.png")
    do {
        let settings = try FileRenderer.settings(fromRender: path)
        FuzzInput.require(settings.problems().isEmpty, "accepted settings with problems: \(settings.problems())")
    } catch {
        FuzzInput.checkMessage(error, names: path)
    }
    return 0
}
