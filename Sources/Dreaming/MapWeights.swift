import FileSupport

/// The maps of `DreamSettings.layer` a dream raises, each with a weight (negative: the
/// dream suppresses that map). Presets write a list of map indices (weight 1 each) or an
/// object `{"3": 1, "17": 0.5}`; the command line `3=1,17=0.5,56` (a map alone weighs 1).
public struct MapWeights: Sendable, Equatable, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public struct Entry: Sendable, Equatable {
        public var map: Int
        public var weight: Float

        public init(map: Int, weight: Float) {
            self.map = map
            self.weight = weight
        }
    }

    /// In the order given (names and messages keep it; the objective sorts by map).
    public var entries: [Entry]

    public init(_ entries: [Entry]) { self.entries = entries }
    /// These maps, weight 1 each.
    public init(_ maps: [Int]) { entries = maps.map { Entry(map: $0, weight: 1) } }
    public init(arrayLiteral maps: Int...) { entries = maps.map { Entry(map: $0, weight: 1) } }
    public init(dictionaryLiteral pairs: (Int, Float)...) { entries = pairs.map { Entry(map: $0.0, weight: $0.1) } }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }
    public var maps: [Int] { entries.map(\.map) }
    /// Every weight is 1: written as a plain list, as before weights existed.
    public var allWeightsOne: Bool { entries.allSatisfy { $0.weight == 1 } }

    /// "3_17x0.5" for output names: the maps, and a weight where it is not 1.
    public var tag: String {
        entries.map { $0.weight == 1 ? "\($0.map)" : "\($0.map)x\(Self.format($0.weight))" }.joined(separator: "_")
    }

    static func format(_ weight: Float) -> String {
        weight == weight.rounded() && abs(weight) < 1e6 ? String(Int(weight)) : "\(weight)"
    }

    /// Parses the command line's `3=1,17=0.5,56`. Errors name the token at fault.
    public init(argument text: String) throws(DreamError) {
        let example = "like 3=1,17=0.5,56 (MAP or MAP=WEIGHT, separated by commas)"
        let tokens = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidSetting(key: "maps", problem: "no maps given; expected maps \(example)")
        }
        var entries: [Entry] = []
        for token in tokens {
            let pieces = token.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard let map = Int(pieces[0]),
                let weight = pieces.count == 2 ? Float(pieces[1]) : 1,
                weight.isFinite
            else {
                throw .invalidSetting(
                    key: "maps", problem: "'\(token)' is not a map or MAP=WEIGHT; give maps \(example)")
            }
            entries.append(Entry(map: map, weight: weight))
        }
        self.entries = entries
    }

    /// Reads a preset's `maps`: a list of indices or an object of index: weight.
    init(json value: JSONValue, at key: String) throws(JSONError) {
        typealias R = SettingsRanges
        var entries: [Entry] = []
        if case .object(let members) = value {
            for member in members {
                let path = JSONValue.path(key, member.key)
                guard let map = Int(member.key) else {
                    throw .wrongType(path: path, expected: "a map index like \"17\"", found: "\"\(member.key)\"")
                }
                guard R.map.contains(map) else {
                    throw .outOfRange(path: path, range: "\(R.map)", found: member.key)
                }
                entries.append(Entry(map: map, weight: try member.value.number(in: R.mapWeight, at: path)))
            }
        } else {
            guard case .array(let items) = value else {
                throw .wrongType(
                    path: key, expected: "a list of maps or an object of map: weight", found: value.found)
            }
            for (i, item) in items.enumerated() {
                entries.append(Entry(map: try item.integer(in: R.map, at: JSONValue.path(key, index: i)), weight: 1))
            }
        }
        guard entries.count <= R.mapCount.upper else {
            throw .outOfRange(path: key, range: "a list of \(R.mapCount)", found: "\(entries.count) maps")
        }
        self.entries = entries
    }

    /// What is wrong with these maps before they meet a model, or nil.
    public func problem() -> String? {
        typealias R = SettingsRanges
        if count > R.mapCount.upper { return "\(count) maps, more than \(R.mapCount.upper)" }
        if let bad = entries.first(where: { !R.map.contains($0.map) }) {
            return "map \(bad.map) \(R.map.problem(bad.map)!)"
        }
        if let bad = entries.first(where: { !R.mapWeight.contains($0.weight) }) {
            return "weight of map \(bad.map) \(R.mapWeight.problem(bad.weight)!)"
        }
        var seen = Set<Int>()
        if let twice = entries.first(where: { !seen.insert($0.map).inserted }) {
            return "map \(twice.map) is given twice; give each map once, with its weight"
        }
        return nil
    }
}

extension MapWeights: Codable {
    /// A list when every weight is 1 (as renders stored it before weights), else an object.
    public func encode(to encoder: Encoder) throws {
        if allWeightsOne {
            var c = encoder.singleValueContainer()
            try c.encode(maps)
        } else {
            var c = encoder.container(keyedBy: MapKey.self)
            for entry in entries { try c.encode(entry.weight, forKey: MapKey(intValue: entry.map)) }
        }
    }

    public init(from decoder: Decoder) throws {
        if let list = try? decoder.singleValueContainer().decode([Int].self) {
            self.init(list.map { Entry(map: $0, weight: 1) })
            return
        }
        let c = try decoder.container(keyedBy: MapKey.self)
        var entries: [Entry] = []
        for key in c.allKeys {
            guard let map = key.intValue else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: c, debugDescription: "expected a map index, not \(key.stringValue)")
            }
            entries.append(Entry(map: map, weight: try c.decode(Float.self, forKey: key)))
        }
        self.init(entries.sorted { $0.map < $1.map })
    }

    struct MapKey: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(intValue: Int) {
            self.intValue = intValue
            stringValue = String(intValue)
        }
        init?(stringValue: String) {
            self.stringValue = stringValue
            intValue = Int(stringValue)
        }
    }
}
