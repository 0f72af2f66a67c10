import CZlib
import Foundation
import TestSupport
import Testing

@testable import NeuralNet

/// IDX files are read as streams: the header from the first bytes, checked before
/// anything is allocated, then exactly the promised bytes. Bombs, lies and truncations
/// made here, byte by byte.
@Suite struct IDXStreamTests {
    /// A gzip stream of `prefix` followed by `zeroMegabytes` MiB of zeros, built without
    /// compressing them all: after a full flush, deflate's output for 1 MiB of zeros is
    /// the same block every time, so the block is repeated. Its trailer is only right
    /// for the prefix and one block; a reader that stops early never sees it.
    func gzipBomb(prefix: [UInt8], zeroMegabytes: Int) -> (bytes: [UInt8], blockIsStable: Bool) {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            deflateEnd(stream)
            stream.deallocate()
        }
        deflateInit2_(
            stream, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size))
        func run(_ input: [UInt8], _ flush: Int32) -> [UInt8] {
            var input = input, result: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            input.withUnsafeMutableBufferPointer { i in
                stream.pointee.next_in = i.baseAddress
                stream.pointee.avail_in = UInt32(i.count)
                repeat {
                    chunk.withUnsafeMutableBufferPointer { o in
                        stream.pointee.next_out = o.baseAddress
                        stream.pointee.avail_out = UInt32(o.count)
                        deflate(stream, flush)
                        result += o[0..<(o.count - Int(stream.pointee.avail_out))]
                    }
                } while stream.pointee.avail_out == 0
            }
            return result
        }
        var bytes = run(prefix, Z_FULL_FLUSH)
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let block = run(zeros, Z_FULL_FLUSH)
        let stable = run(zeros, Z_FULL_FLUSH) == block
        bytes += block + block
        bytes.reserveCapacity(bytes.count + zeroMegabytes * block.count + 64)
        for _ in 2..<zeroMegabytes { bytes += block }
        return (bytes + run([], Z_FINISH), stable)
    }

    func write(_ bytes: [UInt8]) throws -> String {
        let path = try temporaryFolder() + "/file.gz"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aGzipBombStopsOneBytePastThePromise() throws {
        // Promises 2 labels, then inflates to 6 GiB of zeros: a 6 MB file.
        let (bomb, stable) = gzipBomb(prefix: idx(rank: 1, dimensions: [2], data: [3, 4]), zeroMegabytes: 6144)
        #expect(stable, "deflate's block for 1 MiB of zeros repeats (the bomb is well formed)")
        #expect(bomb.count < 8_000_000)
        let path = try write(bomb)
        let start = Date()
        #expect(throws: IDXError.trailingBytes(path: path, expected: 10)) { try IDXFile(contentsOf: path, rank: 1) }
        #expect(Date().timeIntervalSince(start) < 2, "stopped early, not after inflating 6 GiB")
        // The same steps by hand: the stream produced the 10 promised bytes and one more.
        let source = try IDXSource(path: path)
        var buffer = [UInt8](repeating: 0, count: 10)
        #expect(try source.read(into: &buffer, from: 0, count: 10) == 10)
        #expect(try source.isAtEnd() == false)
        #expect(source.produced == 11)
        // A control: the file really goes on (16 MiB more of zeros, and it is not done).
        var more = [UInt8](repeating: 1, count: 16 << 20)
        #expect(try source.read(into: &more, from: 0, count: more.count) == more.count)
        #expect(more.allSatisfy { $0 == 0 })
    }

    @Test func theHeaderIsCheckedFromTheFirstBytes() throws {
        // A bomb whose magic is wrong is refused after four bytes.
        let badMagic = gzipBomb(prefix: [0, 0, 0x0D, 1, 0, 0, 0, 2], zeroMegabytes: 1024).bytes
        let path = try write(badMagic)
        #expect(throws: IDXError.badMagic(path: path, found: "00000d01")) { try IDXFile(contentsOf: path, rank: 1) }
        // A header promising 4e9 x 4e9 x 4e9 bytes is refused before allocating.
        let huge = gzip(idx(rank: 3, dimensions: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], data: []))
        let hugePath = try write(huge)
        #expect(
            throws: IDXError.tooLarge(
                path: hugePath, dimensions: [4_294_967_295, 4_294_967_295, 4_294_967_295], limit: 1 << 29)
        ) {
            try IDXFile(contentsOf: hugePath, rank: 3)
        }
        // Just over the limit: 512 MiB + 784 bytes.
        let over = try write(idx(rank: 3, dimensions: [(1 << 29) / 784 + 1, 28, 28], data: []))
        #expect(throws: IDXError.self) { try IDXFile(contentsOf: over, rank: 3) }
    }

    @Test func truncatedAndOversizedFilesHaveDistinctErrors() throws {
        let good = idx(rank: 3, dimensions: [2, 2, 2], data: Array(0..<8))
        for compress in [false, true] {
            let wrap: ([UInt8]) -> [UInt8] = { compress ? gzip($0) : $0 }
            let short = try write(wrap(Array(good.dropLast(3))))
            #expect(throws: IDXError.truncated(path: short, expected: 24, actual: 21)) {
                try IDXFile(contentsOf: short, rank: 3)
            }
            let long = try write(wrap(good + [9, 9]))
            #expect(throws: IDXError.trailingBytes(path: long, expected: 24)) { try IDXFile(contentsOf: long, rank: 3) }
            let headerOnly = try write(wrap(Array(good.prefix(10))))
            #expect(throws: IDXError.truncated(path: headerOnly, expected: 16, actual: 10)) {
                try IDXFile(contentsOf: headerOnly, rank: 3)
            }
        }
        // A gzip stream cut short is corrupt gzip, not short data.
        let cut = try write(Array(gzip(good).dropLast(12)))
        #expect(throws: IDXError.self) { try IDXFile(contentsOf: cut, rank: 3) }
        do {
            _ = try IDXFile(contentsOf: cut, rank: 3)
        } catch {
            if case .corruptGzip = error {} else { Issue.record("\(error)") }
        }
    }

    @Test func aLargeFileReadsExactlyAcrossManyChunks() throws {
        // Incompressible data, so the compressed input spans many 64 KiB refills.
        var generator = SeededGenerator(seed: 4)
        let data = (0..<(300 * 28 * 28)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let bytes = idx(rank: 3, dimensions: [300, 28, 28], data: data)
        for file in [bytes, gzip(bytes)] {
            let read = try IDXFile(contentsOf: try write(file), rank: 3)
            #expect(read.dimensions == [300, 28, 28] && read.bytes == data)
        }
    }

    @Test func aHeaderPromisingMoreThanTheFileCostsNothing() throws {
        // Found by fuzz-idx: 20 bytes declaring 512 MiB had all of it allocated and zeroed
        // before the file was found short (a fifth of a second and 512 MiB per read).
        let liar = idx(rank: 3, dimensions: [(1 << 29) / 784, 28, 28], data: [1, 2, 3, 4])
        for file in [liar, gzip(liar)] {
            let path = try write(file)
            let start = Date()
            for _ in 0..<20 {
                #expect(throws: IDXError.self) { try IDXFile(contentsOf: path, rank: 3) }
            }
            #expect(Date().timeIntervalSince(start) < 1, "20 reads took \(Date().timeIntervalSince(start)) s")
        }
        // Data longer than the 1 MiB reading chunk still reads exactly.
        let data = (0..<(3000 * 28 * 28)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        let bytes = idx(rank: 3, dimensions: [3000, 28, 28], data: data)
        for file in [bytes, gzip(bytes)] {
            let read = try IDXFile(contentsOf: try write(file), rank: 3)
            #expect(read.dimensions == [3000, 28, 28] && read.bytes == data)
        }
    }

    @Test func foldersAndMissingFilesAreUnreadable() throws {
        let folder = try temporaryFolder()
        #expect(throws: IDXError.unreadable(path: folder, reason: "not a regular file")) {
            try IDXFile(contentsOf: folder, rank: 1)
        }
        #expect(throws: IDXError.unreadable(path: folder + "/none", reason: "no such file")) {
            try IDXFile(contentsOf: folder + "/none", rank: 1)
        }
    }
}
