import FuzzSupport
import Imaging

/// Any bytes through the PNG and JPEG shims (libpng, libjpeg) and the Swift reader around
/// them (signature sniffing, EXIF orientation, sample conversion). The pixel limit is low
/// so that a valid large image cannot pass for a memory leak.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = [UInt8](fuzzInput: data, count: size)
    let limit = 1 << 20
    do {
        let image = try ImageReader(maxPixels: limit).decode(bytes, path: "input")
        FuzzInput.require(
            image.width > 0 && image.height > 0 && image.width * image.height <= limit,
            "decoded \(image.width)x\(image.height) with a limit of \(limit) pixels")
        FuzzInput.require(
            (1...4).contains(image.channels) && image.pixels.count == image.width * image.height * image.channels,
            "decoded \(image.width)x\(image.height)x\(image.channels) holds \(image.pixels.count) samples")
        FuzzInput.require(image.pixels.allSatisfy { $0 >= 0 && $0 <= 1 }, "a sample outside 0...1")
    } catch {
        FuzzInput.checkMessage(error, names: "input")
    }
    return 0
}
