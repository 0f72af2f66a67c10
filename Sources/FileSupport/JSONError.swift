/// What is wrong with a JSON text or one of its values. The reader of the file (preset,
/// model header) adds the file's path in front.
public enum JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    case syntax(line: Int, column: Int, message: String)
    case duplicateKey(path: String)
    case wrongType(path: String, expected: String, found: String)
    case outOfRange(path: String, range: String, found: String)
    case notAChoice(path: String, found: String, choices: [String])
    /// A key that must be there.
    case missing(path: String)
    /// A key the format does not have, with the nearest one it does.
    case unknownKey(path: String, suggestion: String?)

    /// The key path the problem is at; "(file)" for the text as a whole.
    public var path: String {
        switch self {
        case .syntax: "(file)"
        case .duplicateKey(let path), .wrongType(let path, _, _), .outOfRange(let path, _, _),
            .notAChoice(let path, _, _), .missing(let path), .unknownKey(let path, _):
            path
        }
    }

    /// The problem without the path: "expected an integer, found the number 20.5". On one
    /// line whatever the text held (a raw newline in a bad escape, a key or a value).
    public var problem: String { rawProblem.escapingControlCharacters }

    private var rawProblem: String {
        switch self {
        case .syntax(let line, let column, let message): "not valid JSON (line \(line), column \(column): \(message))"
        case .duplicateKey: "appears twice; keep one"
        case .wrongType(_, let expected, let found): "expected \(expected), found \(found)"
        case .outOfRange(_, let range, let found): "must be in \(range), not \(found)"
        case .notAChoice(_, let found, let choices):
            "'\(found)' is not one of the allowed values (\(choices.joined(separator: ", ")))"
        case .missing: "is missing"
        case .unknownKey(_, let suggestion): "unknown key" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        }
    }

    /// "key 'steps': expected an integer, found the number 20.5".
    public var description: String {
        if case .syntax = self { return problem }
        return "key '\(path.escapingControlCharacters)': \(problem)"
    }
}
