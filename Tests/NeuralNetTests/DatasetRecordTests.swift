import FileSupport
import Foundation
import NeuralNet
import TestSupport
import Testing

@Suite struct DatasetRecordTests {
    /// FIPS 180-4's examples; fed whole and in uneven pieces (the block buffering).
    @Test func sha256MatchesTheStandardsVectors() {
        let vectors = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ]
        for (text, digest) in vectors {
            #expect(SHA256.hex(Array(text.utf8)) == digest, "\(text)")
        }
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        var hasher = SHA256()
        var start = 0
        for size in [1, 63, 64, 65, 127, 1000] where start < million.count {
            hasher.update(Array(million[start..<start + size]))
            start += size
        }
        hasher.update(Array(million[start...]))
        #expect(hasher.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// The vendored MNIST's digests (from `zcat FILE.gz | sha256sum`) are what the record
    /// of MNIST holds, and recognise it; Fashion-MNIST's do not match it.
    @Test func fingerprintRecognisesTheVendoredMNIST() throws {
        let digests = try DatasetRecord.fingerprint(directory: repositoryRoot + "/data/mnist", split: .test)
        #expect(digests == DatasetRecord.mnist.sha256(of: .test))
        #expect(DatasetRecord.identify(digests)?.name == "mnist")
        #expect(!DatasetRecord.fashionMNIST.matches(digests, split: .test))
        #expect(DatasetRecord.identify(["t10k-labels-idx1-ubyte": String(repeating: "0", count: 64)]) == nil)
    }

    @Test func recordRoundTripsThroughTheModelFile() throws {
        let model = Sequential.mnistCNN()
        model.initialize(seed: 3)
        var record = DatasetRecord.fashionMNIST
        record.normalization = .init(low: -0.5, high: 0.5)
        let loaded = try ModelFile.decode(ModelFile.encode(model, training: nil, dataset: record), path: "m")
        #expect(loaded.dataset == record)
        #expect(loaded.dataset?.classes[9] == "Ankle boot")
        #expect(loaded.model.parameterValues() == model.parameterValues())
        // A file without the record (every file before it existed) loads without one.
        #expect(try ModelFile.decode(ModelFile.encode(model, training: nil), path: "m").dataset == nil)
    }

    @Test func normalisationMapsBytesAsRecorded() {
        let n = DatasetRecord.Normalization(low: -1, high: 1)
        #expect(n.input(0) == -1 && n.input(255) == 1)
        #expect(DatasetRecord.Normalization.unit.input(51) == Float(51) / 255)
    }

    /// A damaged record is refused with one line naming the file and the key.
    @Test(arguments: [
        (
            "classes", #"{"name":"x","classes":["a"],"normalization":{"low":0,"high":1},"sha256":{}}"#,
            "the model has 3 outputs"
        ),
        (
            "digest",
            #"{"name":"x","classes":["a","b","c"],"normalization":{"low":0,"high":1},"sha256":{"t10k-images-idx3-ubyte":"zz"}}"#,
            "64 lowercase hex digits"
        ),
        ("missing key", #"{"name":"x","classes":["a","b","c"],"sha256":{}}"#, "normalization"),
        (
            "unknown file",
            #"{"name":"x","classes":["a","b","c"],"normalization":{"low":0,"high":1},"sha256":{"x":"a"}}"#,
            "sha256.x"
        ),
    ])
    func damagedRecordIsRefused(_ name: String, _ json: String, _ expected: String) throws {
        let bytes = CraftedModels.modelFile(classes: 3) { header in
            var metadata = header["__metadata__"] as! [String: String]
            metadata["dataset"] = json
            header["__metadata__"] = metadata
        }
        do {
            _ = try ModelFile.decode(bytes, path: "m.safetensors")
            Issue.record("\(name): accepted")
        } catch {
            let message = error.errorDescription ?? ""
            #expect(message.hasPrefix("m.safetensors: dataset record is invalid"), "\(name): \(message)")
            #expect(message.contains(expected), "\(name): \(message)")
        }
    }
}
