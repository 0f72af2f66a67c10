import FileSupport
import Testing

/// Every error is one line, even when it quotes a file's text. Found by the fuzzers: a
/// preset key "descripti\n" and a model header with a raw newline after a backslash
/// printed their errors over two lines.
@Suite struct OneLineTests {
    @Test func controlCharactersAreEscaped() {
        #expect("a\nb\tc\r\u{1B}d\u{2028}e\u{7F}".escapingControlCharacters == #"a\nb\tc\r\u{1B}d\u{2028}e\u{7F}"#)
        #expect("plain ünïcode ✓ 'quotes'".escapingControlCharacters == "plain ünïcode ✓ 'quotes'")
    }

    @Test func jsonErrorsStayOnOneLine() throws {
        let texts = [
            "{\"a\\\n\": 1}",  // a backslash before a raw newline: "unknown escape"
            "{\"ke\ny\": 1}",  // a raw newline inside a key
            "{\"a\": 1,\n\"a\": 2}",  // a duplicate key, across lines
        ]
        for text in texts {
            do {
                let value = try JSONValue.parse(Array(text.utf8))
                // Accepted by the parser: then a key with a newline must be quoted safely.
                Issue.record("parsed \(value)")
            } catch {
                #expect(!error.description.contains("\n") && !error.problem.contains("\n"), "\(error.description)")
            }
        }
    }
}
