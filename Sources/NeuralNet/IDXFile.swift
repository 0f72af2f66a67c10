import Foundation

/// An IDX file (MNIST's format): big-endian magic 0x000008TT (TT = 0x08, unsigned bytes)
/// with the dimension count in its low byte, the dimensions as UInt32, then the data.
///
/// Read as a stream, plain or gzip: the header comes from the first bytes, is checked
/// (magic, rank, dimensions, a bound on the size) before anything is allocated, and
/// exactly the promised bytes are read after it. A gzip bomb stops one byte past the
/// promise instead of inflating to gigabytes.
public struct IDXFile: Sendable {
    public let dimensions: [Int]
    public let bytes: [UInt8]

    /// The most data one file may hold: 512 MiB, ten times MNIST's training images.
    public static let maxDataBytes = 1 << 29

    /// Reads a gzip-compressed or plain IDX file of unsigned bytes with `rank` dimensions.
    public init(contentsOf path: String, rank: Int) throws(IDXError) {
        let source = try IDXSource(path: path)
        let headerLength = 4 + 4 * rank
        var header = [UInt8](repeating: 0, count: headerLength)
        var got = try source.read(into: &header, from: 0, count: 4)
        guard got == 4 else { throw .truncated(path: path, expected: 4, actual: got) }
        guard header[0] == 0, header[1] == 0, header[2] == 0x08 else {
            throw .badMagic(path: path, found: header.prefix(4).map { String(format: "%02x", $0) }.joined())
        }
        guard Int(header[3]) == rank else { throw .wrongRank(path: path, expected: rank, found: Int(header[3])) }
        got += try source.read(into: &header, from: 4, count: 4 * rank)
        guard got == headerLength else { throw .truncated(path: path, expected: headerLength, actual: got) }
        let dimensions = (0..<rank).map { d in
            header[4 + 4 * d..<8 + 4 * d].reduce(0) { $0 << 8 | Int($1) }
        }
        guard dimensions.allSatisfy({ $0 > 0 }) else { throw .badDimensions(path: path, dimensions: dimensions) }
        // Each dimension is below 2^32, so the product is checked step by step.
        var count = 1
        for d in dimensions {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= Self.maxDataBytes else {
                throw .tooLarge(path: path, dimensions: dimensions, limit: Self.maxDataBytes)
            }
            count = product
        }
        // The data grows as it arrives, a MiB at a time: a header promising more than the
        // file holds costs nothing (a 20-byte file declaring 512 MiB had all of it
        // allocated and zeroed before it was found short; found by fuzz-idx).
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(count, 1 << 20))
        while data.count < count {
            let read = try source.read(into: &chunk, from: 0, count: min(chunk.count, count - data.count))
            if read == 0 { break }
            data.append(contentsOf: chunk[0..<read])
        }
        guard data.count == count else {
            throw .truncated(path: path, expected: headerLength + count, actual: headerLength + data.count)
        }
        guard try source.isAtEnd() else { throw .trailingBytes(path: path, expected: headerLength + count) }
        self.dimensions = dimensions
        self.bytes = data
    }
}
