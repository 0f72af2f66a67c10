import TestSupport
import Testing

@testable import NeuralNet

/// `NetworkGeometry` is read from the specs; these tests hold it against what the layers
/// actually compute.
@Suite struct GeometryTests {
    @Test func theMNISTNetworksFiguresByHand() {
        let geometry = Sequential.mnistCNN().geometry
        #expect(geometry.inputShape == FeatureShape(height: 28, width: 28, channels: 1))
        #expect(geometry.inputCount == 784)
        // conv1 3, pool1 3+1, conv2 4+2*2, pool2 8+2, conv3 10+2*4; then the whole input.
        #expect(geometry.layers.map(\.receptiveField.height) == [3, 4, 8, 10, 18, 28, 28, 28])
        #expect(geometry.layers.map(\.stride.width) == [1, 2, 2, 4, 4, 28, 28, 28])
        #expect(geometry.firstFixedLayer == 5)
    }

    @Test func minimumInputIsTheSmallestThatReachesEachLayer() {
        let model = Sequential.mnistCNN()
        let geometry = model.geometry
        func reaches(_ side: Int, _ layer: Int) -> Bool {
            (try? model.outputShapes(for: FeatureShape(height: side, width: side, channels: 1), through: layer)) != nil
        }
        for (i, layer) in geometry.layers.enumerated() {
            let side = layer.minimumInput.height
            #expect(reaches(side, i), "\(model.layers[i].name) at \(side)")
            if layer.needsFixedInput {
                // Dense layers count their inputs; 26...29 all floor to 3x3x128 here, but
                // only the trained size is promised.
                #expect(layer.minimumInput == geometry.inputExtent)
            } else {
                #expect(!reaches(side - 1, i), "\(model.layers[i].name) at \(side - 1)")
            }
        }
    }

    /// One output position depends on exactly the receptive field's pixels, and the next
    /// position down sees the input `stride` rows further.
    @Test func receptiveFieldAndStrideMatchTheForwardPass() throws {
        let model = Sequential.mnistCNN()
        model.initialize(seed: 3)
        let geometry = model.geometry
        let side = 40
        let shape = FeatureShape(height: side, width: side, channels: 1)
        var generator = TestGenerator(11)
        let input = generator.uniform(side * side, 0...1)
        for (i, layer) in geometry.layers.enumerated() where !layer.needsFixedInput {
            let field = layer.receptiveField.height, stride = layer.stride.height
            func outputs(_ x: [Float]) throws -> (first: [Float], below: [Float]) {
                try x.withUnsafeBufferPointer { try model.forward($0.baseAddress!, batch: 1, shape: shape, through: i) }
                let out = model.outputShape(ofLayer: i)
                let values = model.layers[i].preActivation
                let first = Array(UnsafeBufferPointer(start: values, count: out.channels))
                let below = Array(UnsafeBufferPointer(start: values + out.width * out.channels, count: out.channels))
                return (first, below)
            }
            let base = try outputs(input)
            // Everything outside the top-left field x field square changed: position (0, 0) is not.
            var outside = input
            for y in 0..<side {
                for x in 0..<side where y >= field || x >= field { outside[y * side + x] = 1 - input[y * side + x] }
            }
            #expect(try outputs(outside).first == base.first, "\(model.layers[i].name): field \(field) is enough")
            // The field's last row (bright) reaches position (0, 0).
            var lastRow = input
            for x in 0..<field { lastRow[(field - 1) * side + x] = 20 }
            #expect(try outputs(lastRow).first != base.first, "\(model.layers[i].name): field \(field) is needed")
            // The input moved up by `stride` rows: position (0, 0) becomes the one below.
            var shifted = input
            for y in 0..<(side - stride) {
                for x in 0..<side { shifted[y * side + x] = input[(y + stride) * side + x] }
            }
            let moved = try outputs(shifted).first
            for (a, b) in zip(moved, base.below) {
                #expect(abs(a - b) <= Float(1e-4) * max(Float(1), abs(b)), "\(model.layers[i].name): stride \(stride)")
            }
        }
    }
}
