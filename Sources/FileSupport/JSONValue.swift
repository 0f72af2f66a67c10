/// A JSON document as it was written, for files people hand us (presets, the settings
/// in a rendered PNG, a model's header): members keep their order, numbers keep their
/// text, so "20.5", "1e39" and "-3" are reported as written instead of vanishing into a
/// decoder's "not valid JSON". `parse` refuses duplicate keys (JSONSerialization and
/// JSONDecoder keep one silently) and nesting deeper than `maxDepth`.
public indirect enum JSONValue: Sendable, Equatable {
    case object([Member])
    case array([JSONValue])
    case string(String)
    /// The number's literal text, exactly as in the file.
    case number(String)
    case bool(Bool)
    case null

    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue
    }

    /// Deeper nesting is refused (a recursive parser must not run out of stack); our
    /// formats need three levels.
    public static let maxDepth = 64

    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        var parser = Parser(bytes: bytes)
        let value = try parser.value(path: [])
        parser.skipSpace()
        guard parser.index == bytes.count else { throw parser.syntax("unexpected text after the end of the JSON") }
        return value
    }

    /// The member named `key` of an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// How messages name what was found: "the number 20.5", "a string", "a list".
    public var found: String {
        switch self {
        case .object: "an object"
        case .array: "a list"
        case .string(let text): "the string \"\(text.prefix(40))\""
        case .number(let text): "the number \(text.prefix(40))"
        case .bool(let value): "\(value)"
        case .null: "null"
        }
    }

    // MARK: Typed access; every failure names the key path and what was expected.

    public func object(at path: String) throws(JSONError) -> [Member] {
        guard case .object(let members) = self else {
            throw .wrongType(path: path, expected: "an object", found: found)
        }
        return members
    }

    public func array(at path: String) throws(JSONError) -> [JSONValue] {
        guard case .array(let items) = self else { throw .wrongType(path: path, expected: "a list", found: found) }
        return items
    }

    public func string(at path: String) throws(JSONError) -> String {
        guard case .string(let text) = self else { throw .wrongType(path: path, expected: "a string", found: found) }
        return text
    }

    public func bool(at path: String) throws(JSONError) -> Bool {
        guard case .bool(let value) = self else {
            throw .wrongType(path: path, expected: "true or false", found: found)
        }
        return value
    }

    /// An integer written as digits (or as an exact whole number like 2e3), inside `range`.
    public func integer<T: FixedWidthInteger & Sendable>(in range: SettingRange<T>, at path: String) throws(JSONError)
        -> T
    {
        guard case .number(let text) = self else {
            throw .wrongType(path: path, expected: "an integer", found: found)
        }
        let value: T?
        if text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }) {
            value = T(text)  // nil only when it does not fit T: out of range below
        } else {
            guard let double = Double(text), double.isFinite, double == double.rounded() else {
                throw .wrongType(path: path, expected: "an integer", found: found)
            }
            value = T(exactly: double)
        }
        guard let value, range.contains(value) else { throw .outOfRange(path: path, range: "\(range)", found: text) }
        return value
    }

    /// A number inside `range`; one too large for the type (1e39 for a Float) is out of range.
    public func number<T: BinaryFloatingPoint & Sendable>(in range: SettingRange<T>, at path: String) throws(JSONError)
        -> T
    {
        guard case .number(let text) = self, let double = Double(text) else {
            throw .wrongType(path: path, expected: "a number", found: found)
        }
        let value = T(double)
        guard value.isFinite, range.contains(value) else {
            throw .outOfRange(path: path, range: "\(range)", found: text)
        }
        return value
    }

    /// One of a string enum's cases, by its raw value.
    public func choice<T: RawRepresentable & CaseIterable>(_: T.Type, at path: String) throws(JSONError) -> T
    where T.RawValue == String {
        let text = try string(at: path)
        guard let value = T(rawValue: text) else {
            throw .notAChoice(path: path, found: text, choices: T.allCases.map(\.rawValue))
        }
        return value
    }

    /// "layers.conv2", "maps[1]": how a member or an element is named in messages.
    public static func path(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : parent + "." + key }
    public static func path(_ parent: String, index: Int) -> String { parent + "[\(index)]" }

    /// A recursive-descent parser over the bytes (RFC 8259), strict: no comments, no
    /// trailing commas, no NaN, strings of valid UTF-8 only.
    struct Parser {
        let bytes: [UInt8]
        var index = 0
        var depth = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func syntax(_ message: String) -> JSONError {
            var line = 1, column = 1
            for byte in bytes[0..<min(index, bytes.count)] {
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
            }
            return .syntax(line: line, column: column, message: message)
        }

        mutating func skipSpace() {
            while index < bytes.count,
                bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D
            {
                index += 1
            }
        }

        mutating func value(path: [String]) throws(JSONError) -> JSONValue {
            skipSpace()
            guard index < bytes.count else { throw syntax("the text ends where a value should be") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(path: path)
            case UInt8(ascii: "["): return try array(path: path)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw syntax("unexpected character '\(Unicode.Scalar(bytes[index]))'")
            }
        }

        mutating func enter() throws(JSONError) {
            depth += 1
            guard depth <= JSONValue.maxDepth else { throw syntax("nesting deeper than \(JSONValue.maxDepth) levels") }
            index += 1
            skipSpace()
        }

        mutating func object(path: [String]) throws(JSONError) -> JSONValue {
            try enter()
            defer { depth -= 1 }
            var members: [Member] = []
            var keys = Set<String>()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw syntax("expected a key in double quotes")
                }
                let key = try string()
                guard keys.insert(key).inserted else {
                    throw .duplicateKey(path: (path + [key]).joined(separator: "."))
                }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                    throw syntax("expected ':' after the key \"\(key.prefix(40))\"")
                }
                index += 1
                members.append(Member(key: key, value: try value(path: path + [key])))
                skipSpace()
                guard index < bytes.count else { throw syntax("the text ends inside an object") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                } else {
                    throw syntax("expected ',' or '}'")
                }
            }
        }

        mutating func array(path: [String]) throws(JSONError) -> JSONValue {
            try enter()
            defer { depth -= 1 }
            var items: [JSONValue] = []
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                // Duplicate keys inside list elements are named like "layers[2].name".
                let element = path.dropLast() + [(path.last ?? "") + "[\(items.count)]"]
                items.append(try value(path: Array(element)))
                skipSpace()
                guard index < bytes.count else { throw syntax("the text ends inside a list") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(items)
                } else {
                    throw syntax("expected ',' or ']'")
                }
            }
        }

        mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONError) -> JSONValue {
            let count = word.utf8CodeUnitCount
            let matches =
                bytes.count - index >= count
                && word.withUTF8Buffer { text in (0..<count).allSatisfy { bytes[index + $0] == text[$0] } }
            guard matches else { throw syntax("unexpected text; expected \(word)") }
            index += count
            return value
        }

        mutating func digits() -> Int {
            let from = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                index += 1
            }
            return index - from
        }

        mutating func number() throws(JSONError) -> String {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            let whole = index
            guard digits() > 0 else { throw syntax("a number needs digits") }
            if bytes[whole] == UInt8(ascii: "0"), index - whole > 1 { throw syntax("a number cannot start with 0") }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw syntax("a number needs digits after '.'") }
            }
            if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    index += 1
                }
                guard digits() > 0 else { throw syntax("a number needs digits in its exponent") }
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func string() throws(JSONError) -> String {
            index += 1  // the opening quote
            var text = ""
            var runStart = index
            while true {
                guard index < bytes.count else { throw syntax("the text ends inside a string") }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    // Unescaped runs are copied whole, checked as UTF-8.
                    guard let run = String(validating: bytes[runStart..<index], as: UTF8.self) else {
                        throw syntax("a string holds bytes that are not UTF-8")
                    }
                    text += run
                    index += 1
                    if byte == UInt8(ascii: "\"") { return text }
                    text.unicodeScalars.append(try escape())
                    runStart = index
                    continue
                }
                guard byte >= 0x20 else { throw syntax("a control character inside a string; escape it") }
                index += 1
            }
        }

        /// The character after a backslash (already consumed).
        mutating func escape() throws(JSONError) -> Unicode.Scalar {
            guard index < bytes.count else { throw syntax("the text ends inside a string") }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code), bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                {
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else {
                        throw syntax("a lone UTF-16 surrogate in a \\u escape")
                    }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw syntax("a lone UTF-16 surrogate in a \\u escape") }
                return scalar
            default: throw syntax("unknown escape '\\\(Unicode.Scalar(escape))'")
            }
        }

        mutating func hex4() throws(JSONError) -> UInt32 {
            guard bytes.count - index >= 4 else { throw syntax("a \\u escape needs four hex digits") }
            var code: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw syntax("a \\u escape needs four hex digits")
                }
                code = code << 4 | UInt32(digit)
                index += 1
            }
            return code
        }
    }
}
