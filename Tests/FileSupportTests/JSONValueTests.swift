import FileSupport
import Foundation
import Testing

@Suite struct JSONValueTests {
    /// Foundation's parser as the independent reference: the same documents give the same
    /// values (numbers compared as Double, objects as dictionaries).
    func same(_ value: JSONValue, _ reference: Any) -> Bool {
        switch value {
        case .object(let members):
            guard let dictionary = reference as? [String: Any], dictionary.count == members.count else { return false }
            return members.allSatisfy { member in dictionary[member.key].map { same(member.value, $0) } ?? false }
        case .array(let items):
            guard let array = reference as? [Any], array.count == items.count else { return false }
            return zip(items, array).allSatisfy { same($0, $1) }
        case .string(let text): return reference as? String == text
        case .number(let text):
            guard let number = reference as? NSNumber, !isBoolean(reference) else { return false }
            return Double(text) == number.doubleValue
        case .bool(let flag): return isBoolean(reference) && (reference as? NSNumber)?.boolValue == flag
        case .null: return reference is NSNull
        }
    }

    /// Foundation's booleans are NSNumbers too; their class says which they are.
    func isBoolean(_ value: Any) -> Bool { value is Bool && "\(type(of: value))".contains("Bool") }

    @Test(arguments: [
        #"{"a": 1, "b": [true, false, null], "c": {"d": "e"}}"#,
        #"[1, -0, 2.5, -3e-2, 1E+3, 12345678901234567890]"#,
        #""esc\"aped \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00 ünïcödé""#,
        "  {\n\t\"spaced\" :\r\n [ ] , \"empty\" : { } }  ",
        #"{"version": 1, "maps": [56], "layers": {"conv2": 0.5}, "seed": 18446744073709551615}"#,
    ])
    func agreesWithFoundation(_ text: String) throws {
        let value = try JSONValue.parse(Array(text.utf8))
        let reference = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        #expect(same(value, reference), "\(value)")
    }

    @Test func numbersKeepTheirText() throws {
        let value = try JSONValue.parse(Array(#"{"a": 20.5, "b": 1e39, "c": -3}"#.utf8))
        #expect(value["a"] == .number("20.5") && value["b"] == .number("1e39") && value["c"] == .number("-3"))
    }

    @Test func duplicateKeysAreRefusedWithTheirPath() {
        #expect(throws: JSONError.duplicateKey(path: "steps")) {
            try JSONValue.parse(Array(#"{"steps": 1, "steps": 2}"#.utf8))
        }
        #expect(throws: JSONError.duplicateKey(path: "layers.conv2")) {
            try JSONValue.parse(Array(#"{"layers": {"conv2": 1, "conv2": 2}}"#.utf8))
        }
        #expect(throws: JSONError.duplicateKey(path: "list[1].k")) {
            try JSONValue.parse(Array(#"{"list": [{}, {"k": 1, "k": 1}]}"#.utf8))
        }
        // Same key in different objects is fine.
        #expect(throws: Never.self) { try JSONValue.parse(Array(#"{"a": {"k": 1}, "b": {"k": 1}}"#.utf8)) }
    }

    @Test func syntaxErrorsSayWhere() {
        func message(_ text: String) -> String {
            do {
                _ = try JSONValue.parse(Array(text.utf8))
                return "accepted"
            } catch { return error.description }
        }
        #expect(message(#"{"steps": 10"#) == "not valid JSON (line 1, column 13: the text ends inside an object)")
        #expect(
            message("{\n  \"a\": 1,\n  \"b\" 2}")
                == "not valid JSON (line 3, column 7: expected ':' after the key \"b\")")
        #expect(message(#"{"a": 1,}"#).contains("expected a key in double quotes"))
        #expect(message(#"[1, 2] x"#).contains("unexpected text after the end"))
        #expect(message(#"{"a": NaN}"#).contains("unexpected character 'N'"))
        #expect(message(#"{"a": 01}"#).contains("cannot start with 0"))
        #expect(message(#"{"a": 1.}"#).contains("digits after '.'"))
        #expect(message("\"tab\there\"").contains("control character"))
        #expect(message(#""\ud800 lone""#).contains("lone UTF-16 surrogate"))
        #expect(message(#""\x""#).contains("unknown escape"))
        #expect(message("").contains("the text ends where a value should be"))
        #expect(
            message(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)).contains("deeper than 64"))
        #expect(message(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) == "accepted")
        // Invalid UTF-8 inside a string.
        do {
            _ = try JSONValue.parse([0x22, 0xFF, 0x22])
            Issue.record("accepted invalid UTF-8")
        } catch {
            #expect(error.description.contains("not UTF-8"))
        }
    }

    @Test func deepNestingDoesNotOverflowTheStack() {
        // A megabyte of brackets: refused at depth 65, long before the stack runs out.
        let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 1 << 20)
        #expect(throws: JSONError.self) { try JSONValue.parse(bytes) }
    }

    @Test func typedAccessNamesTheKeyTheTypeAndTheRange() throws {
        let range = SettingRange(0...10_000)
        func problem(_ text: String, _ read: (JSONValue) throws(JSONError) -> Any) -> String {
            do {
                _ = try read(try JSONValue.parse(Array(text.utf8)))
                return "accepted"
            } catch { return error.description }
        }
        #expect(
            problem("20.5") { v throws(JSONError) in try v.integer(in: range, at: "steps") }
                == "key 'steps': expected an integer, found the number 20.5")
        #expect(
            problem("1e30") { v throws(JSONError) in try v.integer(in: range, at: "steps") }
                == "key 'steps': must be in 0...10000, not 1e30")
        #expect(
            problem("1000000000") { v throws(JSONError) in try v.integer(in: range, at: "steps") }
                == "key 'steps': must be in 0...10000, not 1000000000")
        #expect(
            problem("99999999999999999999999") { v throws(JSONError) in try v.integer(in: range, at: "steps") }
                == "key 'steps': must be in 0...10000, not 99999999999999999999999")
        #expect(
            problem("-3") { v throws(JSONError) in try v.integer(in: SettingRange(0...UInt64.max), at: "seed") }
                == "key 'seed': must be in 0...18446744073709551615, not -3")
        #expect(
            problem("\"ten\"") { v throws(JSONError) in try v.integer(in: range, at: "steps") }
                == "key 'steps': expected an integer, found the string \"ten\"")
        #expect(
            problem("1e39") { v throws(JSONError) in try v.number(in: SettingRange<Float>(0...1), at: "stepSize") }
                == "key 'stepSize': must be in 0...1, not 1e39")
        #expect(
            problem("true") { v throws(JSONError) in try v.number(in: SettingRange<Float>(0...1), at: "stepSize") }
                == "key 'stepSize': expected a number, found true")
        // Whole numbers written with an exponent or a fraction of zero are integers.
        #expect(try JSONValue.parse(Array("2e3".utf8)).integer(in: range, at: "steps") == 2000)
        #expect(
            try JSONValue.parse(Array("18446744073709551615".utf8)).integer(
                in: SettingRange(0...UInt64.max), at: "seed") == .max)
    }

    @Test func settingRangesSayWhatIsAllowed() {
        #expect(SettingRange(1...100).description == "1...100")
        #expect(SettingRange<Float>(0, 10, excludesLower: true).description == "(0, 10]")
        #expect(SettingRange<Float>(0, 1, excludesUpper: true).description == "[0, 1)")
        #expect(SettingRange<Double>(1.05...4).description == "1.05...4")
        #expect(SettingRange<Float>(0...1).problem(Float.nan) == "must be in 0...1, not nan")
        #expect(SettingRange<Float>(0, 1, excludesUpper: true).problem(1) == "must be in [0, 1), not 1")
        #expect(SettingRange<Float>(0, 1, excludesUpper: true).problem(0) == nil)
        #expect(SettingRange<Float>(0, 10, excludesLower: true).problem(0) == "must be in (0, 10], not 0")
    }
}
