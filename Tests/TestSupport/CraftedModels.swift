import Foundation
import NeuralNet

/// Model and checkpoint files made byte by byte, each broken in one way a careless or
/// hostile file can be; NeuralNetTests runs them through the library, CLITests through
/// the real binary. Every one must be refused with one line naming the file.
public enum CraftedModels {
    /// A valid training record; cases replace single fields.
    public static let record: [String: Any] = [
        "dataset": "mnist", "epochs": 1, "batchSize": 128, "learningRate": 0.05, "momentum": 0.9, "l2": 5e-5,
        "learningRateDrop": 0.5, "dropEvery": 4, "seed": 1, "trainingImages": 60000,
    ]

    /// The safetensors bytes of a model: 8-byte little-endian header length, the JSON
    /// header with our metadata, then the float32 tensors. Without `layers`, the model is
    /// flatten + dense(`classes`) over `input`, with its two tensors filled in.
    public static func modelFile(
        input: [Int] = [28, 28, 1], classes: Int = 10, layers: [[String: Any]]? = nil,
        record: [String: Any]? = nil, velocity: Int? = nil, poison: Float? = nil,
        editHeader: (inout [String: Any]) -> Void = { _ in }
    ) -> [UInt8] {
        let inputs = input.reduce(1, *)
        var tensors: [(String, [Int], Int)] = []
        if layers == nil {
            tensors = [("dense.weight", [inputs, classes], inputs * classes), ("dense.bias", [classes], classes)]
        }
        if let velocity { tensors.append(("optimizer.velocity", [velocity], velocity)) }
        let architecture: [String: Any] = [
            "input": input,
            "layers": layers ?? [
                ["name": "flatten", "kind": "flatten"],
                ["name": "dense", "kind": "dense", "units": classes, "activation": "softmax"],
            ],
        ]
        func json(_ object: Any) -> String {
            String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        var metadata = ["format": "dream-cnn", "version": "1", "architecture": json(architecture)]
        if let record { metadata["training"] = json(record) }
        var header: [String: Any] = ["__metadata__": metadata]
        var data: [UInt8] = []
        for (name, shape, count) in tensors {
            header[name] = ["dtype": "F32", "shape": shape, "data_offsets": [data.count, data.count + 4 * count]]
            var values = (0..<count).map { Float($0 % 7) * 0.01 }
            if let poison, name == "dense.weight" { values[count / 2] = poison }
            values.withUnsafeBytes { data += $0 }  // little-endian on every platform we build for
        }
        editHeader(&header)
        var text = [UInt8](json(header).utf8)
        while text.count % 8 != 0 { text.append(0x20) }
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(text.count).littleEndian) { bytes += $0 }
        return bytes + text + data
    }

    public struct Case: Sendable {
        public var name: String
        public var bytes: [UInt8]
        /// The part of the message after "PATH: ".
        public var message: String
        public var requirement: ModelRequirement? = nil
        /// Arguments after which "--model PATH" (or "-o PATH" for train) follows.
        public var commands: [[String]] = [["evaluate"]]
    }

    /// Where the render commands would write: it must never appear.
    public static let neverWritten = "/tmp/dream-never-written.png"

    static let render = ["--steps", "1", "samples/flower.jpg", "-o", neverWritten]
    static let predict = ["predict", "--mnist", "test:0"]
    static let resume = ["train", "--resume", "--epochs", "3"]

    public static let cases: [Case] = {
        let conv: (Int, [Int]) -> [String: Any] = { filters, size in
            ["name": "conv", "kind": "conv2d", "units": filters, "size": size, "activation": "relu"]
        }
        return [
            Case(
                name: "no layers", bytes: modelFile(layers: []),
                message: "model architecture is invalid: it has no layers",
                commands: [["evaluate"], render, ["layers"]]),
            Case(
                name: "a dense layer of two billion units in a tiny file",
                bytes: modelFile(layers: [
                    ["name": "flatten", "kind": "flatten"], ["name": "d", "kind": "dense", "units": 2_000_000_000],
                ]),
                message: "layer d: dense needs a unit count in 1...1048576", commands: [["evaluate"], predict]),
            Case(
                name: "a dense layer of 784 million parameters",
                bytes: modelFile(layers: [
                    ["name": "flatten", "kind": "flatten"], ["name": "d", "kind": "dense", "units": 1_000_000],
                ]),
                message: "it needs more than 50000000 parameters (layer d has 785000000)"),
            Case(
                name: "a huge input", bytes: modelFile(input: [100_000, 100_000, 1], layers: [conv(8, [3, 3])]),
                message: "input [100000, 100000, 1] is outside 1...4096 per side", commands: [render]),
            Case(
                name: "a zero-sized kernel", bytes: modelFile(layers: [conv(8, [0, 3])]),
                message: "key 'layers[0].size[0]': must be in 1...2147483647, not 0"),
            Case(
                name: "a kernel larger than the limit", bytes: modelFile(layers: [conv(8, [65, 3])]),
                message: "layer conv: conv2d needs a size [h, w], each in 1...64"),
            Case(
                name: "a kernel larger than its input", bytes: modelFile(layers: [conv(8, [29, 3])]),
                message: "layer conv: input 28x28x1 is too small, it needs at least 29x3"),
            Case(
                name: "a layer name that would collide with tensor names",
                bytes: modelFile(layers: [["name": "optimizer.x", "kind": "flatten"]]),
                message: "a name is 1...64 letters, digits, '_' or '-'"),
            Case(
                name: "an architecture of the wrong type",
                bytes: modelFile(layers: [["name": "d", "kind": "dense", "units": "ten"]]),
                message:
                    "model architecture is invalid: key 'layers[0].units': expected an integer, found the string \"ten\""
            ),
            Case(
                name: "NaN weights", bytes: modelFile(poison: .nan),
                message: "tensor 'dense.weight' holds nan at index 3920; a model needs finite weights",
                commands: [["evaluate"], predict, render]),
            Case(
                name: "infinite weights", bytes: modelFile(poison: -.infinity),
                message: "tensor 'dense.weight' holds -inf at index 3920", commands: [predict]),
            Case(
                name: "a 5-class model", bytes: modelFile(classes: 5, record: record, velocity: 3925),
                message: "10 output classes; this one has 28x28x1 inputs and 5 outputs",
                requirement: .mnistClassifier("evaluate"), commands: [["evaluate"], predict, resume]),
            Case(
                name: "a 3-channel input", bytes: modelFile(input: [28, 28, 3]),
                message: "needs a model with 28x28x1 inputs", requirement: .mnistClassifier("evaluate"), commands: []),
            Case(
                name: "an input smaller than the data", bytes: modelFile(input: [20, 20, 1]),
                message: "needs a model with 28x28x1 inputs", requirement: .mnistClassifier("evaluate"), commands: []),
            Case(
                name: "an optimizer state of the wrong length", bytes: modelFile(record: record, velocity: 12),
                message: "tensor 'optimizer.velocity' has shape [12], the architecture needs [7850]", commands: [resume]
            ),
            Case(
                name: "an optimizer state claiming 2^40 floats",
                bytes: modelFile(record: record, velocity: 1) { h in
                    h["optimizer.velocity"] = ["dtype": "F32", "shape": [1 << 40], "data_offsets": [0, 4]]
                },
                message: "tensor 'optimizer.velocity' has shape [1099511627776]", commands: [resume]),
            Case(
                name: "an unknown optimizer tensor",
                bytes: modelFile(record: record) { h in
                    h["optimizer.adam"] = ["dtype": "F32", "shape": [1], "data_offsets": [0, 4]]
                },
                message: "tensor 'optimizer.adam' is not one this dream knows (optimizer.velocity)", commands: [resume]),
            Case(
                name: "tensor offsets past the end",
                bytes: modelFile { h in
                    h["dense.bias"] = ["dtype": "F32", "shape": [10], "data_offsets": [1 << 50, (1 << 50) + 40]]
                },
                message: "tensor 'dense.bias' has data offsets that do not match"),
            Case(
                name: "a header length of 2^62",
                bytes: [0, 0, 0, 0, 0, 0, 0, 0x40] + [UInt8](repeating: 0x20, count: 64),
                message: "not a safetensors file (header length 4611686018427387904 does not fit a file of 72 bytes)"),
        ] + recordCases
    }()

    /// The cases' names, the tests' arguments.
    public static var names: [String] { cases.map(\.name) }

    /// Training records with fields out of the flags' ranges.
    static var recordCases: [Case] {
        func with(_ key: String, _ value: Any) -> [String: Any] {
            var r = record
            r[key] = value
            return r
        }
        return [
            ("batchSize", 0, "training record is invalid: key 'batchSize': must be in 1...4096, not 0"),
            ("batchSize", -5, "key 'batchSize': must be in 1...4096, not -5"),
            ("batchSize", 4_000_000_000_000, "key 'batchSize': must be in 1...4096, not 4000000000000"),
            ("batchSize", 1e30, "key 'batchSize': must be in 1...4096, not 1e+30"),
            ("batchSize", 20.5, "key 'batchSize': expected an integer, found the number 20.5"),
            ("epochs", -1, "key 'epochs': must be in 1...1000, not -1"),
            ("learningRate", 0, "key 'learningRate': must be in (0, 10], not 0"),
            ("learningRate", 1e39, "key 'learningRate': must be in (0, 10], not 1e+39"),
            ("momentum", 1, "key 'momentum': must be in [0, 1), not 1"),
            ("dropEvery", 0, "key 'dropEvery': must be in 1...1000, not 0"),
            ("trainingImages", -1, "key 'trainingImages': must be in 0...100000000, not -1"),
            ("seed", -3, "key 'seed': must be in 0...18446744073709551615, not -3"),
            ("learningRate", "fast", "key 'learningRate': expected a number, found the string \"fast\""),
            ("warmupBatches", -1, "key 'warmupBatches': must be in 0...1000000, not -1"),
            ("reviveDeadMaps", 1, "key 'reviveDeadMaps': expected true or false, found the number 1"),
            (
                "deadMaps", [["layer": "conv1", "maps": 32, "dead": [40], "revived": []]],
                "key 'deadMaps[0].dead[0]': must be in 0...31, not 40"
            ),
            (
                "deadMaps", [["layer": "conv1", "maps": 32, "dead": [], "revived": [], "extra": 1]],
                "key 'deadMaps[0].extra': expected no such key"
            ),
        ].map { key, value, message in
            Case(
                name: "a training record with \(key) \(value)",
                bytes: modelFile(record: with(key, value), velocity: 7850),
                message: message, commands: [resume, ["evaluate"]])
        }
    }
}
