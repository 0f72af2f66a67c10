/// Converts the weights of a small CNN trained elsewhere (PyTorch or Keras, saved as
/// safetensors) into a dream network of a given architecture.
///
/// Which tensor is which: a tensor is "<layer key><sep><role>", sep '.' or '/', role
/// `weight` or `kernel` (the weights) or `bias`, an optional ":0" after it (tf.keras).
/// Rank-4 weights are the conv layers, rank-2 weights the dense layers, each group in the
/// natural order of its layer keys (digit runs compared as numbers: `0 < 3 < 10`,
/// `conv2d < conv2d_1 < conv2d_10`, `features.0 < features.3`), matched in order to the
/// architecture's conv and dense layers. Anything else (batch-norm statistics, ...) is
/// refused by name.
public enum ModelImport {
    /// How the source framework stores the tensors.
    public enum Layout: String, Sendable, CaseIterable {
        /// conv weight [out, in, kh, kw], linear weight [out, in]; the flatten before the
        /// first linear layer reads NCHW (channel, row, column).
        case pytorch
        /// conv kernel [kh, kw, in, out], dense kernel [in, out], flatten in HWC order:
        /// dream's own layouts.
        case keras
    }

    /// Accuracies may differ from the stated one by this much (0.1 percentage points).
    public static let accuracyTolerance = 0.001

    /// The network `architecture` describes, with the weights of the safetensors
    /// `bytes` (`path` names the file in errors).
    public static func model(
        safetensors bytes: [UInt8], path: String, architecture: ArchitectureSpec, layout: Layout
    ) throws(ModelImportError) -> Sequential {
        let model: Sequential
        do {
            model = try Sequential(architecture)
        } catch {
            throw .badArchitecture(problem: error.errorDescription ?? "\(error)")
        }
        let file: SafetensorsFile
        do {
            file = try SafetensorsFile(bytes: bytes, path: path, maxHeaderBytes: ModelFile.maxHeaderBytes)
        } catch {
            throw .file(error)
        }

        // Group the file's tensors into layers.
        struct Source {
            var key: String
            var weight: String?
            var bias: String?
        }
        var sources: [String: Source] = [:]
        for name in file.entries.keys.sorted() {
            var stem = Substring(name)
            if let colon = stem.lastIndex(of: ":"), stem[stem.index(after: colon)...].allSatisfy(\.isNumber) {
                stem = stem[..<colon]
            }
            guard let separator = stem.lastIndex(where: { $0 == "." || $0 == "/" }) else {
                throw .unknownTensor(path: path, name: name)
            }
            let key = String(stem[..<separator]), role = stem[stem.index(after: separator)...]
            var source = sources[key] ?? Source(key: key)
            switch role {
            case "weight", "kernel": source.weight = name
            case "bias": source.bias = name
            default: throw .unknownTensor(path: path, name: name)
            }
            sources[key] = source
        }
        let ordered = sources.values.sorted { naturalOrder($0.key, $1.key) }
        let convs = ordered.filter { $0.weight.flatMap { file.shape(of: $0)?.count } == 4 }
        let denses = ordered.filter { $0.weight.flatMap { file.shape(of: $0)?.count } == 2 }

        // What the architecture expects, in the file's layout.
        let shapes: [FeatureShape]
        do {
            shapes = try [model.inputShape] + model.outputShapes(for: model.inputShape)
        } catch {
            throw .badArchitecture(problem: error.errorDescription ?? "\(error)")
        }
        struct Target {
            var index: Int
            var spec: LayerSpec
            var sourceShape: [Int]
        }
        var targets: [Target] = []
        for (i, spec) in model.specs.enumerated() where spec.kind == .conv2d || spec.kind == .dense {
            let input = shapes[i], units = spec.units!
            let sourceShape: [Int]
            if spec.kind == .conv2d {
                let (kh, kw) = (spec.size![0], spec.size![1])
                sourceShape = layout == .pytorch ? [units, input.channels, kh, kw] : [kh, kw, input.channels, units]
            } else {
                sourceShape = layout == .pytorch ? [units, input.count] : [input.count, units]
            }
            targets.append(Target(index: i, spec: spec, sourceShape: sourceShape))
        }
        func describe() -> (found: String, expected: String) {
            let found = ordered.flatMap { [$0.weight, $0.bias].compactMap { $0 } }
                .map { "\($0) \(file.shapeText(of: $0))" }
            let expected = targets.map { "\($0.spec.name) weight \($0.sourceShape) bias [\($0.spec.units!)]" }
            return (found.joined(separator: ", "), expected.joined(separator: ", "))
        }
        let expectedConvs = targets.filter { $0.spec.kind == .conv2d }
        let expectedDenses = targets.filter { $0.spec.kind == .dense }
        guard convs.count == expectedConvs.count, denses.count == expectedDenses.count,
            convs.count + denses.count == ordered.count
        else {
            let (found, expected) = describe()
            throw .mismatch(
                path: path, problem: "\(convs.count) conv and \(denses.count) dense weights for \(architecture)",
                found: found, expected: expected, layout: layout)
        }

        for (source, target) in zip(convs + denses, expectedConvs + expectedDenses) {
            let values: [Float]
            let bias: [Float]
            do throws(ModelFileError) {
                guard let weightName = source.weight, let biasName = source.bias else {
                    throw .missingTensor(
                        path: path, name: source.key + (source.weight == nil ? ".weight" : ".bias"))
                }
                values = try file.floats(weightName, expected: target.sourceShape)
                bias = try file.floats(biasName, expected: [target.spec.units!])
            } catch {
                let (found, expected) = describe()
                throw .mismatch(
                    path: path, problem: "layer \(target.spec.name) from '\(source.key)': \(error.detail)",
                    found: found, expected: expected, layout: layout)
            }
            // A dense layer right after the flatten sees the map the flatten took.
            let i = target.index
            let flattened = i > 0 && model.specs[i - 1].kind == .flatten ? shapes[i - 1] : nil
            let weights = convert(values, target: target.spec, input: shapes[i], flattened: flattened, layout: layout)
            guard let weightView = model.tensors.first(where: { $0.name == target.spec.name + ".weight" }),
                let biasView = model.tensors.first(where: { $0.name == target.spec.name + ".bias" })
            else { continue }  // cannot happen: Sequential makes both views for every conv and dense layer
            (model.parameters.pointer + weightView.offset).update(from: weights, count: weightView.count)
            (model.parameters.pointer + biasView.offset).update(from: bias, count: biasView.count)
        }
        return model
    }

    /// The weights in dream's layout ([kh, kw, in, out] / [in, out], flatten in HWC
    /// order); `flattened` is the map a dense layer's flatten took, if any.
    static func convert(
        _ values: [Float], target: LayerSpec, input: FeatureShape, flattened: FeatureShape?, layout: Layout
    ) -> [Float] {
        guard layout == .pytorch else { return values }
        let units = target.units!
        var out = [Float](repeating: 0, count: values.count)
        if target.kind == .conv2d {
            let (kh, kw, channels) = (target.size![0], target.size![1], input.channels)
            for o in 0..<units {
                for c in 0..<channels {
                    for y in 0..<kh {
                        for x in 0..<kw {
                            out[((y * kw + x) * channels + c) * units + o] =
                                values[((o * channels + c) * kh + y) * kw + x]
                        }
                    }
                }
            }
            return out
        }
        // PyTorch flattens over channels first (c, y, x), dream over positions (y, x, c).
        let inputs = input.count
        var sourceIndex = Array(0..<inputs)
        if let map = flattened {
            let (h, w, c) = (map.height, map.width, map.channels)
            for y in 0..<h {
                for x in 0..<w {
                    for ch in 0..<c { sourceIndex[(y * w + x) * c + ch] = (ch * h + y) * w + x }
                }
            }
        }
        for i in 0..<inputs {
            for o in 0..<units { out[i * units + o] = values[o * inputs + sourceIndex[i]] }
        }
        return out
    }

    /// Name order with digit runs compared as numbers ("conv2d_2" before "conv2d_10").
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        var i = a.unicodeScalars.makeIterator(), j = b.unicodeScalars.makeIterator()
        var x = i.next(), y = j.next()
        while let p = x, let q = y {
            if ("0"..."9").contains(p) && ("0"..."9").contains(q) {
                var m = "", n = ""
                while let d = x, ("0"..."9").contains(d) {
                    m.unicodeScalars.append(d)
                    x = i.next()
                }
                while let d = y, ("0"..."9").contains(d) {
                    n.unicodeScalars.append(d)
                    y = j.next()
                }
                let (u, v) = (m.drop { $0 == "0" }, n.drop { $0 == "0" })
                if u.count != v.count { return u.count < v.count }
                if u != v { return u < v }
                if m.count != n.count { return m.count < n.count }
                continue
            }
            if p != q { return p.value < q.value }
            x = i.next()
            y = j.next()
        }
        return x == nil && y != nil
    }

    /// How well `model` classifies `data` (padded and replicated to its input) against
    /// the accuracy the user states; throws when they differ by more than the tolerance.
    public static func checkAccuracy(of model: Sequential, on data: MNISTDataset, expected: Double, dataName: String)
        throws(ModelImportError) -> Double
    {
        guard let adapted = data.adapted(to: model.inputShape) else {
            throw .unsuitableData(
                problem: "\(dataName) holds \(data.shape) images; the model takes \(model.inputShape)")
        }
        let measured: Double
        do {
            measured = try Evaluation(model: model, data: adapted).accuracy
        } catch {
            throw .unsuitableData(problem: error.errorDescription ?? "\(error)")
        }
        // The stated accuracy is typed with 4 or so digits: a tiny slack keeps 0.001 apart inclusive.
        guard abs(measured - expected) <= accuracyTolerance + 1e-9 else {
            throw .accuracyMismatch(expected: expected, measured: measured, dataName: dataName, count: data.count)
        }
        return measured
    }
}
