import TestSupport
import Testing

@testable import NeuralNet

@Suite struct ConvolutionTests {
    @Test(arguments: [(28, 28, 1, 32), (13, 13, 32, 64), (40, 33, 3, 5), (3, 3, 4, 2)])
    func im2colMatchesDirect(height: Int, width: Int, channels: Int, filters: Int) {
        let conv = Conv2D(name: "c", inputChannels: channels, filters: filters, activation: .relu)
        var rng = TestGenerator(UInt64(height * 100 + channels))
        var parameters = rng.uniform(conv.parameterCount)
        var gradients = [Float](repeating: 0, count: conv.parameterCount)
        let shape = FeatureShape(height: height, width: width, channels: channels)
        let input = rng.uniform(3 * shape.count)
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeMutableBufferPointer { g in
                conv.bind(parameters: p.baseAddress!, gradients: g.baseAddress!)
                conv.forward(input, shape: shape, batch: 3)
                let direct = conv.forwardDirect(input, shape: shape, batch: 3)
                let out = try! conv.outputShape(for: shape)
                var worst: Float = 0
                for i in 0..<direct.count { worst = max(worst, abs(direct[i] - conv.preActivation[i])) }
                #expect(worst < 1e-4, "max difference \(worst)")
                #expect(direct.count == 3 * out.count)
                // ReLU output is max(pre, 0).
                #expect((0..<direct.count).allSatisfy { conv.output[$0] == max(conv.preActivation[$0], 0) })
            }
        }
    }

    @Test func convAcceptsLargerInputs() throws {
        let model = Sequential.mnistCNN()
        let shapes = try model.outputShapes(for: FeatureShape(height: 100, width: 61, channels: 1), through: 4)
        #expect(shapes[4] == FeatureShape(height: 21, width: 11, channels: 128))
        // The dense part needs exactly 28x28.
        #expect(throws: NetworkError.self) {
            _ = try model.outputShapes(for: FeatureShape(height: 30, width: 28, channels: 1))
        }
        #expect(throws: NetworkError.self) {
            _ = try model.outputShapes(for: FeatureShape(height: 4, width: 4, channels: 1))
        }
    }

    @Test func seedArchitectureHas208982Parameters() throws {
        let model = Sequential.mnistCNN()
        #expect(model.parameterCount == 208_982)
        let shapes = try model.outputShapes(for: model.inputShape).map(\.description)
        #expect(shapes == ["26x26x32", "13x13x32", "11x11x64", "5x5x64", "3x3x128", "1152", "100", "10"])
        #expect(try model.layerIndex(named: "Conv2D_3") == 4)
        #expect(throws: NetworkError.unknownLayer(name: "conv9", known: model.layers.map(\.name))) {
            try model.layerIndex(named: "conv9")
        }
    }
}
