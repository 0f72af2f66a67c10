import FuzzSupport
import NeuralNet

/// Any bytes as an IDX file (MNIST's format), plain or gzip-compressed, read as images
/// (rank 3) and as labels (rank 1).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzInput.file([UInt8](fuzzInput: data, count: size), named: "input.idx")
    for rank in [1, 3] {
        do {
            let file = try IDXFile(contentsOf: path, rank: rank)
            FuzzInput.require(file.dimensions.count == rank, "rank \(rank) read as \(file.dimensions)")
            FuzzInput.require(
                file.bytes.count == file.dimensions.reduce(1, *),
                "\(file.dimensions) read with \(file.bytes.count) bytes")
        } catch {
            FuzzInput.checkMessage(error, names: path)
        }
    }
    return 0
}
