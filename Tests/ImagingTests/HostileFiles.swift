import Foundation

/// Files made to cost far more to decode than their size suggests, written byte by byte
/// so that no encoder's own checks stand in the way.
enum HostileFiles {
    /// A grayscale progressive JPEG whose `scans` scans all carry the same empty AC band
    /// (one end-of-band run over every block). libjpeg accepts each scan and walks all the
    /// image's blocks for it, so the work grows as scans x pixels while the file stays a
    /// few bytes per scan. Decoded, the picture is flat mid-gray.
    static func progressiveJPEG(width: Int, height: Int, scans: Int) -> [UInt8] {
        var file: [UInt8] = [0xFF, 0xD8]
        func segment(_ marker: UInt8, _ body: [UInt8]) {
            file += [0xFF, marker] + bigEndian16(body.count + 2) + body
        }
        segment(0xDB, [0x00] + [UInt8](repeating: 1, count: 64))  // quantisation table 0, all ones
        segment(0xC2, [8] + bigEndian16(height) + bigEndian16(width) + [1, 1, 0x11, 0])  // SOF2, one component
        // AC table 0: the 15 end-of-band-run symbols (0x00, 0x10 ... 0xE0), all 4-bit codes.
        segment(0xC4, [0x10] + [0, 0, 0, 15] + [UInt8](repeating: 0, count: 12) + (0..<15).map { UInt8($0 << 4) })
        let blocks = ((width + 7) / 8) * ((height + 7) / 8)
        let entropy = endOfBandRuns(blocks)
        for _ in 0..<scans {
            segment(0xDA, [1, 1, 0x00, 1, 63, 0x00])  // one component, AC table 0, band 1...63, no approximation
            file += entropy
        }
        return file + [0xFF, 0xD9]
    }

    /// Huffman-coded end-of-band runs covering `blocks` blocks: symbol r (code r in 4 bits)
    /// then r extra bits, for a run of 2^r + extra blocks (at most 32767).
    private static func endOfBandRuns(_ blocks: Int) -> [UInt8] {
        var bits: [Bool] = []
        func put(_ value: Int, _ count: Int) {
            for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) }
        }
        var left = blocks
        while left > 0 {
            let run = min(left, 32767)
            let r = Int.bitWidth - 1 - run.leadingZeroBitCount
            put(r, 4)
            put(run - (1 << r), r)
            left -= run
        }
        while bits.count % 8 != 0 { bits.append(true) }  // pad with ones, as the standard says
        var bytes: [UInt8] = []
        for start in stride(from: 0, to: bits.count, by: 8) {
            let byte = bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
            bytes.append(byte)
            if byte == 0xFF { bytes.append(0) }  // byte stuffing
        }
        return bytes
    }

    /// A PNG from its chunks (type, data), IHDR first; lengths and CRCs filled in.
    static func png(_ chunks: [(String, [UInt8])]) -> [UInt8] {
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        for (type, data) in chunks {
            let body = Array(type.utf8) + data
            file += bigEndian32(data.count) + body + bigEndian32(Int(crc32(body)))
        }
        return file
    }

    static func ihdr(width: Int, height: Int, bitDepth: UInt8 = 8, colorType: UInt8 = 0) -> (String, [UInt8]) {
        ("IHDR", bigEndian32(width) + bigEndian32(height) + [bitDepth, colorType, 0, 0, 0])
    }

    /// A gray 8-bit PNG whose rows are all `value`, with `extra` chunks before IDAT.
    static func grayPNG(width: Int, height: Int, value: UInt8 = 0, extra: [(String, [UInt8])] = []) -> [UInt8] {
        var raw: [UInt8] = []
        for _ in 0..<height { raw += [0] + [UInt8](repeating: value, count: width) }
        return png([ihdr(width: width, height: height)] + extra + [("IDAT", zlibStored(raw)), ("IEND", [])])
    }

    /// zTXt body: keyword, NUL, method 0, then zlib data that inflates to `count` copies
    /// of `byte` from about count / 158 bytes (fixed-Huffman matches of 258 bytes).
    static func zTXt(_ key: String, inflatingTo count: Int, of byte: UInt8 = 0x61) -> (String, [UInt8]) {
        ("zTXt", Array(key.utf8) + [0, 0] + zlibRepeating(byte, count: count))
    }

    /// A zlib stream of `count` (at least 1) copies of `byte`: one literal, then matches of
    /// length 258 at distance 1, then literals for the rest.
    static func zlibRepeating(_ byte: UInt8, count: Int) -> [UInt8] {
        var writer = BitWriter()
        writer.put(1, 1)  // final block
        writer.put(1, 2)  // fixed Huffman codes
        func literal(_ value: Int) {  // 0...143: 8-bit codes 0x30 + value; 144...255: 9 bits 0x190 + value - 144
            if value < 144 { writer.putCode(0x30 + value, 8) } else { writer.putCode(0x190 + value - 144, 9) }
        }
        literal(Int(byte))
        // length code 285 (258 bytes, 8-bit code 0xC5), then distance code 0 (distance 1, 5 bits)
        let match = BitWriter.reversed(0xC5, 8)
        var left = count - 1
        while left >= 258 {
            writer.put(match, 13)
            left -= 258
        }
        for _ in 0..<left { literal(Int(byte)) }
        writer.putCode(0, 7)  // end of block
        // Adler-32 of n equal bytes v: a = 1 + n v, b = n + v n (n + 1) / 2 (mod 65521).
        let n = count % 65521, v = Int(byte)
        let a = (1 + n * v) % 65521
        let b = (n + v * ((count % (2 * 65521)) * ((count + 1) % (2 * 65521)) / 2 % 65521)) % 65521
        return [0x78, 0x01] + writer.finished + bigEndian32(b << 16 | a)
    }

    /// A zlib stream of `data` in stored (uncompressed) blocks.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(start + 65535, data.count)
            let length = end - start
            out += [end == data.count ? 1 : 0, UInt8(length & 0xFF), UInt8(length >> 8)]
            out += [UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[start..<end]
            start = end
        } while start < data.count
        var a = 1, b = 0
        for byte in data {
            a = (a + Int(byte)) % 65521
            b = (b + a) % 65521
        }
        return out + bigEndian32(b << 16 | a)
    }

    private struct BitWriter {
        private var bytes: [UInt8] = []
        private var pending: UInt64 = 0, used = 0
        /// `count` bits of `value`, least significant first (deflate's header fields).
        mutating func put(_ value: Int, _ count: Int) {
            pending |= UInt64(value) << UInt64(used)
            used += count
            while used >= 8 {
                bytes.append(UInt8(pending & 0xFF))
                pending >>= 8
                used -= 8
            }
        }
        /// A Huffman code: most significant bit first.
        mutating func putCode(_ code: Int, _ count: Int) { put(Self.reversed(code, count), count) }
        static func reversed(_ code: Int, _ count: Int) -> Int {
            (0..<count).reduce(0) { $0 | ((code >> $1) & 1) << (count - 1 - $1) }
        }
        var finished: [UInt8] { used > 0 ? bytes + [UInt8(pending & 0xFF)] : bytes }
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        crcTable.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return ~crc
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        (0..<8).reduce(UInt32(n)) { crc, _ in crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }

    private static func bigEndian32(_ value: Int) -> [UInt8] {
        [UInt8((value >> 24) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static func bigEndian16(_ value: Int) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
}
