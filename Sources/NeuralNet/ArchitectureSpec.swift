import Foundation

/// A sequential CNN written as one line, e.g.
/// `in28x28x1,conv32k3,pool2,conv64k3,pool2,conv128k3,dense100,dense10`:
///
///     spec  := "in" H "x" W "x" C ("," layer)+
///     layer := "conv" N ["k" K ["x" K]] [":" act]   N filters, K x K kernel (3), stride 1, valid
///            | "pool" [P ["x" P]]                   max pool, window = stride = P (2)
///            | "dense" N [":" act]                  N units
///     act   := "relu" (the default) | "linear"
///
/// Convs and pools come first, dense layers last; the flatten before the first dense is
/// implied, and the last layer is a dense layer whose softmax gives the class scores (it
/// takes no suffix). Layers are named conv1, pool1, ..., flatten, dense1, ... as in the
/// bundled model. Printing (`description`) gives the canonical form (kernel and window
/// written out, default activations left out), which parses back to the same layers.
public struct ArchitectureSpec: Sendable, Equatable, CustomStringConvertible {
    public let input: FeatureShape
    public let layers: [LayerSpec]

    /// The forms the parser accepts, for error messages.
    public static let grammar =
        "inHxWxC first, then convN[kK[xK]][:relu|:linear], pool[P[xP]], denseN[:relu|:linear], the last denseN (the classes, no suffix)"
    /// The bundled model's architecture; `dream train` trains it unless told otherwise.
    public static let bundled = "in28x28x1,conv32k3,pool2,conv64k3,pool2,conv128k3,dense100,dense10"

    /// The architecture of a built network, for printing.
    public init(input: FeatureShape, layers: [LayerSpec]) {
        self.input = input
        self.layers = layers
    }

    /// Parses `text`, checking every layer's geometry (a kernel or window larger than its
    /// input is refused with the layer named) and `Sequential.Limits`.
    public init(parsing text: String) throws(ArchitectureSpecError) {
        let tokens = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard let first = tokens.first, let input = Self.inputShape(first) else {
            throw .badToken(token: tokens.first ?? "", index: 1, expected: "an input shape like in28x28x1")
        }
        guard tokens.count >= 2 else { throw .badStructure(problem: "'\(text)' has no layers after the input") }
        var layers: [LayerSpec] = []
        var counts: [LayerSpec.Kind: Int] = [:]
        var shape = input
        func name(_ kind: LayerSpec.Kind, _ stem: String) -> String {
            counts[kind, default: 0] += 1
            return kind == .flatten ? stem : "\(stem)\(counts[kind]!)"
        }
        for (offset, token) in tokens.enumerated().dropFirst() {
            let index = offset + 1
            let isLast = offset == tokens.count - 1
            guard let layer = Self.layer(token, isLast: isLast) else {
                throw .badToken(token: token, index: index, expected: Self.grammar)
            }
            switch layer.kind {
            case .conv2d, .maxpool2d:
                guard !layers.contains(where: { $0.kind == .dense }) else {
                    throw .badStructure(
                        problem: "'\(token)' (item \(index)) follows a dense layer; convs and pools come first")
                }
                let isConv = layer.kind == .conv2d
                let spec = LayerSpec(
                    name: name(layer.kind, isConv ? "conv" : "pool"), kind: layer.kind, units: layer.units,
                    size: layer.size, activation: layer.activation)
                let (h, w) = (spec.size![0], spec.size![1])
                guard shape.height >= h, shape.width >= w else {
                    let what = isConv ? "kernel" : "window"
                    // The smallest input this layer can work on (NetworkGeometry's receptive field).
                    let needs = NetworkGeometry(inputShape: input, specs: layers + [spec]).layers.last!.minimumInput
                    throw .badGeometry(
                        layer: spec.name, token: token,
                        problem:
                            "its \(h)x\(w) \(what) is larger than its \(shape.height)x\(shape.width) input (it needs an input of at least \(needs.height)x\(needs.width), not \(input.height)x\(input.width)); use a smaller \(what), fewer layers or a larger input"
                    )
                }
                shape =
                    isConv
                    ? FeatureShape(height: shape.height - h + 1, width: shape.width - w + 1, channels: layer.units!)
                    : FeatureShape(height: shape.height / h, width: shape.width / w, channels: shape.channels)
                layers.append(spec)
            default:
                if !shape.isVector || (layers.last.map { $0.kind != .dense } ?? false) {
                    layers.append(LayerSpec(name: name(.flatten, "flatten"), kind: .flatten))
                }
                layers.append(
                    LayerSpec(
                        name: name(.dense, "dense"), kind: .dense, units: layer.units, activation: layer.activation))
                shape = .vector(layer.units!)
            }
            if isLast && layer.kind != .dense {
                throw .badStructure(
                    problem: "the last layer '\(token)' is not a dense layer; end with denseN, N the number of classes")
            }
        }
        do {
            try Sequential.checkBounds(inputShape: input, specs: layers)
        } catch {
            throw .badStructure(problem: error.errorDescription ?? "\(error)")
        }
        self.init(input: input, layers: layers)
    }

    /// "in28x28x1" -> 28x28x1.
    static func inputShape(_ token: String) -> FeatureShape? {
        guard token.hasPrefix("in") else { return nil }
        let parts = token.dropFirst(2).split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 3, let h = number(parts[0]), let w = number(parts[1]), let c = number(parts[2]) else {
            return nil
        }
        return FeatureShape(height: h, width: w, channels: c)
    }

    /// A positive decimal without sign or leading zero, small enough for any size here.
    static func number(_ text: Substring) -> Int? {
        guard (1...7).contains(text.count), text.first != "0", text.allSatisfy({ ("0"..."9").contains($0) }) else {
            return nil
        }
        return Int(text)
    }

    /// "3" or "3x5" -> [3, 3] or [3, 5].
    static func window(_ text: Substring) -> [Int]? {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let h = number(parts[0]) else { return nil }
        guard parts.count == 2 else { return [h, h] }
        return number(parts[1]).map { [h, $0] }
    }

    /// One layer token without its name (nil when malformed).
    static func layer(_ token: String, isLast: Bool) -> LayerSpec? {
        let pieces = token.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count) else { return nil }
        var activation: Activation = .relu
        let body = pieces[0]
        if body.hasPrefix("pool") {
            guard pieces.count == 1 else { return nil }
            let rest = body.dropFirst(4)
            guard let size = rest.isEmpty ? [2, 2] : window(rest) else { return nil }
            return LayerSpec(name: "", kind: .maxpool2d, size: size)
        }
        let isDense = body.hasPrefix("dense")
        if pieces.count == 2 {
            // The last layer is the classifier: softmax, written without a suffix.
            guard let chosen = Activation(rawValue: String(pieces[1])),
                isLast && isDense ? chosen == .softmax : chosen != .softmax
            else { return nil }
            activation = chosen
        } else if isLast && isDense {
            activation = .softmax
        }
        if isDense {
            return number(body.dropFirst(5)).map {
                LayerSpec(name: "", kind: .dense, units: $0, activation: activation)
            }
        }
        guard body.hasPrefix("conv") else { return nil }
        let parts = body.dropFirst(4).split(separator: "k", maxSplits: 1, omittingEmptySubsequences: false)
        guard let filters = number(parts[0]), let size = parts.count == 2 ? window(parts[1]) : [3, 3] else {
            return nil
        }
        return LayerSpec(name: "", kind: .conv2d, units: filters, size: size, activation: activation)
    }

    /// The canonical text. A flatten is implied before the first dense layer; one
    /// elsewhere (not from this parser) is written as "flatten" so nothing is hidden.
    public var description: String {
        var tokens = ["in\(input.height)x\(input.width)x\(input.channels)"]
        func size(_ spec: LayerSpec) -> String {
            guard let size = spec.size, size.count == 2 else { return "?" }
            return size[0] == size[1] ? "\(size[0])" : "\(size[0])x\(size[1])"
        }
        for (i, spec) in layers.enumerated() {
            let isLast = i == layers.count - 1
            let standard: Activation = isLast && spec.kind == .dense ? .softmax : .relu
            let suffix = spec.activation.map { $0 == standard ? "" : ":\($0.rawValue)" } ?? ""
            switch spec.kind {
            case .conv2d: tokens.append("conv\(spec.units ?? 0)k\(size(spec))\(suffix)")
            case .maxpool2d: tokens.append("pool\(size(spec))")
            case .dense: tokens.append("dense\(spec.units ?? 0)\(suffix)")
            case .flatten:
                let next = layers.dropFirst(i + 1).first
                let implied =
                    next?.kind == .dense && !layers[..<i].contains { $0.kind == .dense || $0.kind == .flatten }
                if !implied { tokens.append("flatten") }
            }
        }
        return tokens.joined(separator: ",")
    }
}

extension Sequential {
    /// The network as an architecture spec (see `ArchitectureSpec`).
    public var architecture: ArchitectureSpec { ArchitectureSpec(input: inputShape, layers: specs) }

    /// Builds (uninitialised) the network `spec` describes.
    public convenience init(_ spec: ArchitectureSpec) throws(NetworkError) {
        try self.init(inputShape: spec.input, specs: spec.layers)
    }
}
