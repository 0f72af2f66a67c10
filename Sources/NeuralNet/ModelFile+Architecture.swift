import FileSupport

extension ModelFile.Architecture {
    /// Reads the architecture metadata strictly: every key known, every value of its
    /// type. Sizes only need to be positive here; `Sequential` checks them against its
    /// limits before allocating.
    init(json: JSONValue) throws(JSONError) {
        let positive = SettingRange(1...Int(Int32.max))
        var input: [Int]?
        var layers: [LayerSpec]?
        for member in try json.object(at: "(architecture)") {
            switch member.key {
            case "input":
                let items = try member.value.array(at: "input")
                guard items.count == 3 else {
                    throw .wrongType(path: "input", expected: "[height, width, channels]", found: member.value.found)
                }
                var values: [Int] = []
                for (i, item) in items.enumerated() {
                    values.append(try item.integer(in: positive, at: JSONValue.path("input", index: i)))
                }
                input = values
            case "layers":
                var specs: [LayerSpec] = []
                for (i, item) in try member.value.array(at: "layers").enumerated() {
                    specs.append(try Self.layer(item, at: JSONValue.path("layers", index: i), positive: positive))
                }
                layers = specs
            default:
                throw .wrongType(path: member.key, expected: "no such key (input, layers)", found: member.value.found)
            }
        }
        guard let input else { throw .missing(path: "input") }
        guard let layers else { throw .missing(path: "layers") }
        self.init(input: input, layers: layers)
    }

    static func layer(_ json: JSONValue, at path: String, positive: SettingRange<Int>) throws(JSONError) -> LayerSpec {
        var name: String?
        var kind: LayerSpec.Kind?
        var units: Int?
        var size: [Int]?
        var activation: Activation?
        for member in try json.object(at: path) {
            let at = JSONValue.path(path, member.key)
            switch member.key {
            case "name": name = try member.value.string(at: at)
            case "kind": kind = try member.value.choice(LayerSpec.Kind.self, at: at)
            case "units": units = try member.value.integer(in: positive, at: at)
            case "size":
                var values: [Int] = []
                for (i, item) in try member.value.array(at: at).enumerated() {
                    values.append(try item.integer(in: positive, at: JSONValue.path(at, index: i)))
                }
                size = values
            case "activation": activation = try member.value.choice(Activation.self, at: at)
            default:
                throw .wrongType(
                    path: at, expected: "no such key (name, kind, units, size, activation)", found: member.value.found)
            }
        }
        guard let name else { throw .missing(path: JSONValue.path(path, "name")) }
        guard let kind else { throw .missing(path: JSONValue.path(path, "kind")) }
        return LayerSpec(name: name, kind: kind, units: units, size: size, activation: activation)
    }
}
