import Foundation
import TestSupport
import Testing

@testable import NeuralNet

/// `dream import`: the fixtures exported by tools/export_fixture.py (a small CNN trained
/// in PyTorch and one in Keras) reproduce the logits their framework computed; wrong
/// layouts, flatten orders and architectures fail loudly.
@Suite struct ModelImportTests {
    struct Expected: Decodable {
        struct Framework: Decodable {
            var accuracy: Double
            var logits: [[Float]]
        }
        var architecture: String
        var pytorch: Framework
        var keras: Framework
    }

    static func fixture(_ name: String) throws -> String {
        try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)).path
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(
            Expected.self, from: Data(contentsOf: URL(fileURLWithPath: fixture("import-logits.json"))))
    }

    /// MNIST test images 0-7, the fixtures' inputs.
    static func probes() throws -> MNISTDataset {
        try MNISTDataset(directory: repositoryRoot + "/data/mnist", split: .test)
    }

    static func load(_ name: String, layout: ModelImport.Layout, arch: String? = nil) throws -> Sequential {
        let path = try fixture(name)
        return try ModelImport.model(
            safetensors: ModelFile.bytes(contentsOf: path), path: path,
            architecture: ArchitectureSpec(parsing: arch ?? expected().architecture), layout: layout)
    }

    /// The last layer's logits (before its softmax) for the first `count` images.
    static func logits(_ model: Sequential, _ data: MNISTDataset, count: Int = 8) throws -> [[Float]] {
        let images = Array(data.images[0..<count * MNISTDataset.pixels])
        try images.withUnsafeBufferPointer { try model.forward($0.baseAddress!, batch: count) }
        let last = model.layers.last!
        let classes = last.spec.units!
        return (0..<count).map { n in (0..<classes).map { last.preActivation[n * classes + $0] } }
    }

    static func maxDifference(_ a: [[Float]], _ b: [[Float]]) -> Float {
        zip(a, b).flatMap { zip($0, $1).map { abs($0 - $1) } }.max() ?? .infinity
    }

    @Test(arguments: [("import-pytorch.safetensors", ModelImport.Layout.pytorch), ("import-keras.safetensors", .keras)])
    func reproducesTheFrameworksLogits(_ name: String, _ layout: ModelImport.Layout) throws {
        let model = try Self.load(name, layout: layout)
        let expected = try Self.expected()
        let want = layout == .pytorch ? expected.pytorch.logits : expected.keras.logits
        let got = try Self.logits(model, Self.probes())
        #expect(got.count == 8)
        #expect(Self.maxDifference(got, want) < 1e-4, "\(name): \(got[0]) vs \(want[0])")
        // And the model round-trips through dream's own file format.
        let reread = try ModelFile.decode(ModelFile.encode(model, training: nil), path: "m").model
        #expect(Self.maxDifference(try Self.logits(reread, Self.probes()), want) < 1e-4)
    }

    /// The Keras fixture rewritten in PyTorch's layouts (conv [out, in, kh, kw], linear
    /// [out, in], the flatten NCHW) imports as PyTorch to Keras's logits; with the dense
    /// rows left in Keras's HWC order (the flatten order bug) the logits are wrong.
    @Test func theFlattenOrderMatters() throws {
        let path = try Self.fixture("import-keras.safetensors")
        let file = try SafetensorsFile(bytes: ModelFile.bytes(contentsOf: path), path: path, maxHeaderBytes: 1 << 20)
        let k1 = try file.floats("sequential/conv2d/kernel", expected: [3, 3, 1, 4])
        let k2 = try file.floats("sequential/conv2d_1/kernel", expected: [3, 3, 4, 8])
        let dense = try file.floats("sequential/dense/kernel", expected: [200, 10])
        func convToTorch(_ w: [Float], _ c: Int, _ o: Int) -> [Float] {
            var out = [Float](repeating: 0, count: w.count)
            for f in 0..<o {
                for ch in 0..<c {
                    for y in 0..<3 {
                        for x in 0..<3 {
                            out[((f * c + ch) * 3 + y) * 3 + x] = w[((y * 3 + x) * c + ch) * o + f]
                        }
                    }
                }
            }
            return out
        }
        func denseToTorch(nchw: Bool) -> [Float] {
            var out = [Float](repeating: 0, count: 2000)
            for i in 0..<200 {
                // Keras input i = (y * 5 + x) * 8 + c; PyTorch's flatten puts it at (c * 5 + y) * 5 + x.
                let (y, x, c) = (i / 40, (i / 8) % 5, i % 8)
                let j = nchw ? (c * 5 + y) * 5 + x : i
                for o in 0..<10 { out[o * 200 + j] = dense[i * 10 + o] }
            }
            return out
        }
        func torchFile(nchw: Bool) throws -> [UInt8] {
            try Self.safetensors([
                ("0.weight", [4, 1, 3, 3], convToTorch(k1, 1, 4)),
                ("0.bias", [4], file.floats("sequential/conv2d/bias", expected: [4])),
                ("3.weight", [8, 4, 3, 3], convToTorch(k2, 4, 8)),
                ("3.bias", [8], file.floats("sequential/conv2d_1/bias", expected: [8])),
                ("7.weight", [10, 200], denseToTorch(nchw: nchw)),
                ("7.bias", [10], file.floats("sequential/dense/bias", expected: [10])),
            ])
        }
        let expected = try Self.expected()
        let arch = try ArchitectureSpec(parsing: expected.architecture)
        let right = try ModelImport.model(
            safetensors: torchFile(nchw: true), path: "t", architecture: arch, layout: .pytorch)
        #expect(Self.maxDifference(try Self.logits(right, Self.probes()), expected.keras.logits) < 1e-4)
        let wrong = try ModelImport.model(
            safetensors: torchFile(nchw: false), path: "t", architecture: arch, layout: .pytorch)
        #expect(Self.maxDifference(try Self.logits(wrong, Self.probes()), expected.keras.logits) > 0.5)
    }

    /// A file read with the other framework's layout, or against another architecture, is
    /// refused in one line that lists the tensors found and the shapes expected.
    @Test(arguments: [
        ("import-pytorch.safetensors", ModelImport.Layout.keras, nil as String?, "layer conv1 from 'features.0'"),
        ("import-keras.safetensors", .pytorch, nil, "layer conv1 from 'sequential/conv2d'"),
        (
            "import-pytorch.safetensors", .pytorch, "in28x28x1,conv4k3,pool2,conv16k3,pool2,dense10",
            "layer conv2 from 'features.3'"
        ),
        (
            "import-keras.safetensors", .keras, "in28x28x1,conv4k3,pool2,conv8k3,pool2,dense32,dense10",
            "2 conv and 1 dense weights"
        ),
        (
            "import-keras.safetensors", .keras, "in32x32x1,conv4k3,pool2,conv8k3,pool2,dense10",
            "layer dense1 from 'sequential/dense'"
        ),
    ])
    func refusesWhatDoesNotFit(_ name: String, _ layout: ModelImport.Layout, _ arch: String?, _ message: String) throws
    {
        do {
            _ = try Self.load(name, layout: layout, arch: arch)
            Issue.record("\(name) as \(layout) for \(arch ?? "its arch") was accepted")
        } catch {
            let text = (error as? LocalizedError)?.errorDescription ?? "\(error)"
            #expect(text.hasPrefix(try Self.fixture(name) + ": the tensors do not fit --arch"), "\(text)")
            #expect(text.contains(message), "\(text)")
            #expect(text.contains("found "), "\(text)")
            #expect(text.contains("expected in \(layout.rawValue) layout: conv1 weight"), "\(text)")
            #expect(!text.contains("\n"))
        }
    }

    /// Extra tensors (batch norm's statistics) and a missing bias are named.
    @Test func namesUnknownAndMissingTensors() throws {
        let arch = try ArchitectureSpec(parsing: "in2x2x1,dense3")
        let weight = ("fc.weight", [3, 4], [Float](repeating: 0.5, count: 12))
        let bias = ("fc.bias", [3], [Float](repeating: 0, count: 3))
        let stats = ("bn.running_mean", [3], [Float](repeating: 0, count: 3))
        #expect(throws: ModelImportError.unknownTensor(path: "w", name: "bn.running_mean")) {
            try ModelImport.model(
                safetensors: Self.safetensors([weight, bias, stats]), path: "w", architecture: arch, layout: .pytorch)
        }
        do {
            _ = try ModelImport.model(
                safetensors: Self.safetensors([weight]), path: "w", architecture: arch, layout: .pytorch)
            Issue.record("accepted without a bias")
        } catch {
            #expect(
                (error as? ModelImportError)?.errorDescription?.contains("tensor 'fc.bias' is missing") == true,
                "\(error)")
        }
        let model = try ModelImport.model(
            safetensors: Self.safetensors([weight, bias]), path: "w", architecture: arch, layout: .pytorch)
        #expect(model.parameters.array(count: 15) == [Float](repeating: 0.5, count: 12) + [0, 0, 0])
    }

    /// Names in natural order: digit runs compare as numbers.
    @Test func ordersNamesNaturally() {
        let names = ["features.10", "conv2d_1", "features.3", "conv2d", "conv2d_10", "features.0", "conv2d_2", "a01"]
        #expect(
            names.sorted(by: ModelImport.naturalOrder)
                == ["a01", "conv2d", "conv2d_1", "conv2d_2", "conv2d_10", "features.0", "features.3", "features.10"])
    }

    /// The accuracy check passes at the framework's own accuracy and refuses a statement
    /// 0.15 points off (in both directions).
    @Test func checksTheStatedAccuracy() throws {
        let expected = try Self.expected()
        let model = try Self.load("import-pytorch.safetensors", layout: .pytorch)
        let test = try Self.probes()
        let measured = try ModelImport.checkAccuracy(
            of: model, on: test, expected: expected.pytorch.accuracy, dataName: "mnist")
        #expect(abs(measured - expected.pytorch.accuracy) <= 0.001)
        for offset in [-0.0015, 0.0015] {
            #expect(throws: ModelImportError.self) {
                try ModelImport.checkAccuracy(
                    of: model, on: test, expected: expected.pytorch.accuracy + offset, dataName: "mnist")
            }
        }
    }

    /// A safetensors file without metadata, as the frameworks write them.
    static func safetensors(_ tensors: [(String, [Int], [Float])]) throws -> [UInt8] {
        var header: [String: Any] = [:]
        var data: [UInt8] = []
        for (name, shape, values) in tensors {
            header[name] = [
                "dtype": "F32", "shape": shape, "data_offsets": [data.count, data.count + 4 * values.count],
            ]
            values.withUnsafeBytes { data += $0 }
        }
        var text = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        while text.count % 8 != 0 { text.append(0x20) }
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(text.count).littleEndian) { bytes += $0 }
        return bytes + text + data
    }
}
