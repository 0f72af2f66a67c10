import CZlib
import Foundation

/// An IDX file (MNIST's format): big-endian magic 0x000008TT (TT = 0x08, unsigned bytes)
/// with the dimension count in its low byte, the dimensions as UInt32, then the data.
public struct IDXFile: Sendable {
    public let dimensions: [Int]
    public let bytes: [UInt8]

    /// Reads a gzip-compressed or plain IDX file of unsigned bytes with `rank` dimensions.
    public init(contentsOf path: String, rank: Int) throws(IDXError) {
        let raw: Data
        do {
            raw = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(
                path: path,
                reason: FileManager.default.fileExists(atPath: path)
                    ? "permission denied or not a file" : "no such file")
        }
        var data = [UInt8](raw)
        if data.starts(with: [0x1F, 0x8B]) { data = try Self.gunzip(data, path: path) }
        guard data.count >= 4 else { throw .truncated(path: path, expected: 4, actual: data.count) }
        guard data[0] == 0, data[1] == 0, data[2] == 0x08 else {
            throw .badMagic(path: path, found: data.prefix(4).map { String(format: "%02x", $0) }.joined())
        }
        guard Int(data[3]) == rank else { throw .wrongRank(path: path, expected: rank, found: Int(data[3])) }
        let headerLength = 4 + 4 * rank
        guard data.count >= headerLength else {
            throw .truncated(path: path, expected: headerLength, actual: data.count)
        }
        var dimensions: [Int] = []
        for d in 0..<rank {
            let at = 4 + 4 * d
            dimensions.append(
                Int(data[at]) << 24 | Int(data[at + 1]) << 16 | Int(data[at + 2]) << 8 | Int(data[at + 3]))
        }
        let expected = headerLength + dimensions.reduce(1, *)
        guard dimensions.allSatisfy({ $0 > 0 }) else { throw .badDimensions(path: path, dimensions: dimensions) }
        guard data.count == expected else {
            throw data.count < expected
                ? .truncated(path: path, expected: expected, actual: data.count)
                : .trailingBytes(path: path, expected: expected, actual: data.count)
        }
        self.dimensions = dimensions
        self.bytes = Array(data[headerLength...])
    }

    static func gunzip(_ compressed: [UInt8], path: String) throws(IDXError) -> [UInt8] {
        var stream = z_stream()
        // 16 + MAX_WBITS: expect a gzip wrapper
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corruptGzip(path: path, detail: "zlib would not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var status: Int32 = Z_OK
        var input = compressed
        input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    output.append(contentsOf: out[0..<(out.count - Int(stream.avail_out))])
                }
            } while status == Z_OK
        }
        switch status {
        case Z_STREAM_END: return output
        case Z_BUF_ERROR: throw .corruptGzip(path: path, detail: "compressed data ends early (truncated file)")
        default:
            throw .corruptGzip(path: path, detail: stream.msg.map { String(cString: $0) } ?? "inflate error \(status)")
        }
    }
}
