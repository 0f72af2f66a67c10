/// What one use of a model needs of its shapes, so a model of another shape is refused
/// with a message naming the use instead of reading past a buffer.
public struct ModelRequirement: Sendable, Equatable {
    /// How the message names the use: "evaluate", "train --resume".
    public var use: String
    /// The input shape; nil when the data is shaped to the model (`MNISTDataset.adapted`).
    public var input: FeatureShape?
    /// Values of the last layer's output; nil when any count will do.
    public var classes: Int?

    public init(use: String, input: FeatureShape?, classes: Int? = nil) {
        self.use = use
        self.input = input
        self.classes = classes
    }

    static let digit = FeatureShape(height: 28, width: 28, channels: 1)

    /// 28x28x1 images in, ten class scores out: evaluate, predict, training on MNIST.
    public static func mnistClassifier(_ use: String) -> ModelRequirement {
        ModelRequirement(use: use, input: digit, classes: 10)
    }

    /// Ten class scores out, any input (the data is padded or copied into channels to fit
    /// it, as `dream train` did): evaluate, predict.
    public static func classifier(_ use: String) -> ModelRequirement {
        ModelRequirement(use: use, input: nil, classes: 10)
    }

    /// 28x28x1 inputs, any outputs: renders, OIPs, sheets, activation grids.
    public static func digitInput(_ use: String) -> ModelRequirement {
        ModelRequirement(use: use, input: digit)
    }

    /// "evaluate needs a model with 28x28x1 inputs and 10 output classes; this one has
    /// 28x28x3 inputs and 5 outputs", or nil when the model fits.
    public func problem(with model: Sequential) -> String? {
        let outputs = (try? model.outputShapes(for: model.inputShape))?.last?.count ?? 0
        let wrongInput = input.map { $0 != model.inputShape } ?? false
        guard wrongInput || (classes.map { $0 != outputs } ?? false) else { return nil }
        let needs = [input.map { "\($0) inputs" }, classes.map { "\($0) output classes" }].compactMap { $0 }
            .joined(separator: " and ")
        return "\(use) needs a model with \(needs); this one has \(model.inputShape) inputs and \(outputs) outputs"
    }
}
