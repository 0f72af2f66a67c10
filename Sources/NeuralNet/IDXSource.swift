import CZlib
import Foundation

/// The bytes of a plain or gzip file, read in chunks on demand: a caller that wants N
/// bytes never makes the file produce more than N (+1 to see that it goes on).
final class IDXSource {
    let path: String
    private let file: UnsafeMutablePointer<FILE>
    /// Set for gzip files (magic 1f 8b); its address must not move (zlib checks it).
    private var stream: UnsafeMutablePointer<z_stream>?
    /// Compressed input, 64 KiB at a time; zlib keeps a pointer into it between calls,
    /// so it is allocated once, not an array.
    private let input = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1 << 16)
    private var inputEnded = false
    private var streamEnded = false
    /// Bytes produced so far (after inflating), for the tests' bomb checks.
    private(set) var produced = 0
    /// Compressed bytes already read before the stream was set up.
    private var pending: [UInt8] = []

    init(path: String) throws(IDXError) {
        self.path = path
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw .unreadable(path: path, reason: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .unreadable(path: path, reason: "not a regular file") }
        guard let file = fopen(path, "rb") else { throw .unreadable(path: path, reason: "permission denied") }
        self.file = file
        var magic = [UInt8](repeating: 0, count: 2)
        let count = fread(&magic, 1, 2, file)
        pending = Array(magic[0..<count])
        guard pending == [0x1F, 0x8B] else { return }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 16 + MAX_WBITS: expect a gzip wrapper
        guard inflateInit2_(stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            throw .corruptGzip(path: path, detail: "zlib would not start")
        }
        self.stream = stream
    }

    deinit {
        input.deallocate()
        fclose(file)
        if let stream {
            inflateEnd(stream)
            stream.deallocate()
        }
    }

    /// Fills `buffer[offset..<offset + count]` as far as the file goes; returns how many
    /// bytes arrived (fewer only at the end of the data).
    func read(into buffer: inout [UInt8], from offset: Int, count: Int) throws(IDXError) -> Int {
        precondition(offset >= 0 && count >= 0 && offset + count <= buffer.count)
        let got = try buffer.withUnsafeMutableBytes { raw in
            Result { () throws(IDXError) in try read(into: raw.baseAddress! + offset, count: count) }
        }.get()
        produced += got
        return got
    }

    /// True when no data follows; false as soon as one more byte exists.
    func isAtEnd() throws(IDXError) -> Bool {
        var one = [UInt8](repeating: 0, count: 1)
        return try read(into: &one, from: 0, count: 1) == 0
    }

    private func read(into target: UnsafeMutableRawPointer, count: Int) throws(IDXError) -> Int {
        guard count > 0 else { return 0 }
        guard let stream else { return readPlain(into: target, count: count) }
        var done = 0
        while done < count && !streamEnded {
            if stream.pointee.avail_in == 0 && !inputEnded { refill(stream) }
            let want = min(count - done, Int(UInt32.max))
            stream.pointee.next_out = target.assumingMemoryBound(to: UInt8.self) + done
            stream.pointee.avail_out = UInt32(want)
            let status = inflate(stream, Z_NO_FLUSH)
            done += want - Int(stream.pointee.avail_out)
            switch status {
            case Z_STREAM_END:
                streamEnded = true
            case Z_OK:
                continue
            case Z_BUF_ERROR where !(inputEnded && stream.pointee.avail_in == 0):
                continue
            case Z_BUF_ERROR:
                throw .corruptGzip(path: path, detail: "compressed data ends early (truncated file)")
            default:
                throw .corruptGzip(
                    path: path, detail: stream.pointee.msg.map { String(cString: $0) } ?? "inflate error \(status)")
            }
        }
        return done
    }

    /// The next chunk of compressed input, starting with the two magic bytes already read.
    private func refill(_ stream: UnsafeMutablePointer<z_stream>) {
        var count = pending.count
        for (i, byte) in pending.enumerated() { input[i] = byte }
        pending = []
        count += fread(input.baseAddress! + count, 1, input.count - count, file)
        if count == 0 { inputEnded = true }
        stream.pointee.next_in = input.baseAddress
        stream.pointee.avail_in = UInt32(count)
    }

    private func readPlain(into target: UnsafeMutableRawPointer, count: Int) -> Int {
        var done = 0
        if !pending.isEmpty {
            let take = min(pending.count, count)
            for i in 0..<take { target.storeBytes(of: pending[i], toByteOffset: i, as: UInt8.self) }
            pending.removeFirst(take)
            done = take
        }
        while done < count {
            let got = fread(target + done, 1, count - done, file)
            if got == 0 { break }
            done += got
        }
        return done
    }
}
