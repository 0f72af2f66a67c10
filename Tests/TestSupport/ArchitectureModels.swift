import NeuralNet

/// Small randomly initialised CNNs of other geometries than the bundled model's, for the
/// tests that the engine takes size, channels and receptive fields from the model.
public enum ArchitectureModels {
    static func model(_ input: FeatureShape, _ specs: [LayerSpec]) throws -> Sequential {
        let model = try Sequential(inputShape: input, specs: specs)
        model.initialize(seed: 7)
        return model
    }

    /// conv16k5, pool2, conv32k3, pool2, dense10 on 32x32x1.
    public static func small32() throws -> Sequential {
        try model(
            FeatureShape(height: 32, width: 32, channels: 1),
            [
                LayerSpec(name: "conv1", kind: .conv2d, units: 16, size: [5, 5], activation: .relu),
                LayerSpec(name: "pool1", kind: .maxpool2d, size: [2, 2]),
                LayerSpec(name: "conv2", kind: .conv2d, units: 32, size: [3, 3], activation: .relu),
                LayerSpec(name: "pool2", kind: .maxpool2d, size: [2, 2]),
                LayerSpec(name: "flatten", kind: .flatten),
                LayerSpec(name: "dense", kind: .dense, units: 10, activation: .softmax),
            ])
    }

    /// conv8k3, pool2, conv16k3, dense10 on 28x28x3: a colour model.
    public static func rgb() throws -> Sequential {
        try model(
            FeatureShape(height: 28, width: 28, channels: 3),
            [
                LayerSpec(name: "conv1", kind: .conv2d, units: 8, size: [3, 3], activation: .relu),
                LayerSpec(name: "pool1", kind: .maxpool2d, size: [2, 2]),
                LayerSpec(name: "conv2", kind: .conv2d, units: 16, size: [3, 3], activation: .relu),
                LayerSpec(name: "flatten", kind: .flatten),
                LayerSpec(name: "dense", kind: .dense, units: 10, activation: .softmax),
            ])
    }

    /// "bundled", "small32" or "rgb".
    public static func named(_ name: String) throws -> Sequential {
        switch name {
        case "small32": return try small32()
        case "rgb": return try rgb()
        default: return try bundledModel()
        }
    }

    /// The model `name` saved as a model file at `path`, for the command-line tests.
    public static func write(_ name: String, to path: String) throws {
        try ModelFile.write(named(name), training: nil, to: path)
    }
}
