import FileSupport

/// A safetensors file checked up to its tensors: the 8-byte header length, the JSON
/// header (tensor entries and `__metadata__`); tensors are read, checked (dtype F32,
/// shape, offsets inside the data, finite values) and converted on request. Shared by
/// dream's own model files and the foreign weights `dream import` converts.
struct SafetensorsFile {
    let path: String
    let bytes: [UInt8]
    /// Where the data section starts.
    let headerEnd: Int
    /// Every tensor's header entry, by name (`__metadata__` apart).
    let entries: [String: JSONValue]
    /// `__metadata__`, when the file has one.
    let metadata: JSONValue?

    init(bytes: [UInt8], path: String, maxHeaderBytes: Int) throws(ModelFileError) {
        guard bytes.count >= 8 else {
            throw .truncated(path: path, detail: "\(bytes.count) bytes, not even a header length")
        }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard length >= 2, length <= UInt64(bytes.count - 8) else {
            throw .badHeader(path: path, detail: "header length \(length) does not fit a file of \(bytes.count) bytes")
        }
        guard length <= UInt64(maxHeaderBytes) else {
            throw .badHeader(path: path, detail: "header length \(length) is over the limit of \(maxHeaderBytes) bytes")
        }
        headerEnd = 8 + Int(length)
        var entries: [String: JSONValue] = [:]
        var metadata: JSONValue?
        do {
            for member in try JSONValue.parse(Array(bytes[8..<headerEnd])).object(at: "(header)") {
                if member.key == "__metadata__" { metadata = member.value } else { entries[member.key] = member.value }
            }
        } catch {
            throw .badHeader(path: path, detail: "header: \(error)")
        }
        self.path = path
        self.bytes = bytes
        self.entries = entries
        self.metadata = metadata
    }

    /// The shape a tensor's entry declares, when it is a list of integers.
    func shape(of name: String) -> [Int]? {
        let any = SettingRange(0...Int.max)
        return try? entries[name]?["shape"]?.array(at: "shape").map { value throws(JSONError) in
            try value.integer(in: any, at: "shape")
        }
    }

    /// "[12, 3]" for a shape of integers, else what was there.
    func shapeText(of name: String) -> String {
        guard let value = entries[name]?["shape"] else { return "missing" }
        guard case .array(let items) = value else { return value.found }
        let numbers = items.map { item in if case .number(let text) = item { text } else { item.found } }
        return "[\(numbers.joined(separator: ", "))]"
    }

    /// The tensor `name`, which must be F32 of shape `expected`. The expected shape comes
    /// from the caller (bounded), so the byte count below cannot overflow whatever the
    /// file claims.
    func floats(_ name: String, expected: [Int]) throws(ModelFileError) -> [Float] {
        guard let entry = entries[name], case .object = entry else { throw .missingTensor(path: path, name: name) }
        guard case .string("F32")? = entry["dtype"] else {
            let found = entry["dtype"].map { if case .string(let text) = $0 { text } else { $0.found } }
            throw .unsupportedDType(path: path, name: name, dtype: found ?? "missing")
        }
        guard shape(of: name) == expected else {
            throw .shapeMismatch(path: path, name: name, expected: expected, found: shapeText(of: name))
        }
        let count = expected.reduce(1, *)
        let any = SettingRange(0...Int.max)
        let offsets = try? entry["data_offsets"]?.array(at: "data_offsets").map { value throws(JSONError) in
            try value.integer(in: any, at: "data_offsets")
        }
        let dataLength = bytes.count - headerEnd
        guard let offsets, offsets.count == 2, offsets[1] >= offsets[0], offsets[1] <= dataLength,
            offsets[1] - offsets[0] == 4 * count
        else { throw .badOffsets(path: path, name: name, dataLength: dataLength) }
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            var i = headerEnd + offsets[0]
            for k in 0..<count {
                buffer[k] = Float(
                    bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16
                        | UInt32(bytes[i + 3]) << 24)
                i += 4
            }
            initialized = count
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinite(path: path, name: name, index: bad, value: "\(values[bad])")
        }
        return values
    }
}
