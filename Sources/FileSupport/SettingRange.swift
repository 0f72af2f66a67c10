/// The documented range of one numeric setting. Each range is defined once and used by
/// the command-line flags, the preset keys and the checks on files that carry the value,
/// so a flag and a file can never disagree on what is allowed.
public struct SettingRange<Value: Comparable & Sendable>: Sendable, CustomStringConvertible {
    public let lower: Value
    public let upper: Value
    /// Open ends: `(0, 1]` is a learning-rate drop, `[0, 1)` a momentum.
    public let excludesLower: Bool
    public let excludesUpper: Bool

    public init(_ lower: Value, _ upper: Value, excludesLower: Bool = false, excludesUpper: Bool = false) {
        self.lower = lower
        self.upper = upper
        self.excludesLower = excludesLower
        self.excludesUpper = excludesUpper
    }

    public init(_ range: ClosedRange<Value>) { self.init(range.lowerBound, range.upperBound) }

    /// False for NaN: every comparison with it fails.
    public func contains(_ value: Value) -> Bool {
        (excludesLower ? value > lower : value >= lower) && (excludesUpper ? value < upper : value <= upper)
    }

    /// "1...100", "(0, 10]", "[0, 1)".
    public var description: String {
        let low = Self.text(lower), high = Self.text(upper)
        if !excludesLower && !excludesUpper { return "\(low)...\(high)" }
        return "\(excludesLower ? "(" : "[")\(low), \(high)\(excludesUpper ? ")" : "]")"
    }

    /// "must be in 1...100, not 0", or nil when the value is inside.
    public func problem(_ value: Value) -> String? {
        contains(value) ? nil : "must be in \(self), not \(Self.text(value))"
    }

    /// Whole floating-point values without ".0", so ranges read like the README's table.
    static func text(_ value: Value) -> String {
        if let number = value as? any BinaryFloatingPoint {
            let double = Double(number)
            if double.isFinite && double == double.rounded() && abs(double) < 1e15 { return String(Int64(double)) }
        }
        return "\(value)"
    }
}
