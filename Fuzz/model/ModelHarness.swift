import FuzzSupport
import NeuralNet

/// Any bytes as a model file (safetensors with our metadata): header, architecture,
/// tensors, optimizer state, training record.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModel(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = [UInt8](fuzzInput: data, count: size)
    do {
        _ = try ModelFile.decode(bytes, path: "input.safetensors")
    } catch {
        FuzzInput.checkMessage(error, names: "input.safetensors")
    }
    return 0
}
