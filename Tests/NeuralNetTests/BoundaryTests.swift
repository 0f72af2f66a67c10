import Foundation
import Testing

@testable import NeuralNet

/// Networks, trainers and evaluations refuse what they cannot run, before allocating or
/// computing anything; the kernels stop a caller's shape bug with a message.
@Suite struct BoundaryTests {
    let digit = FeatureShape(height: 28, width: 28, channels: 1)

    func networkError(_ shape: FeatureShape, _ specs: [LayerSpec]) -> String? {
        do {
            _ = try Sequential(inputShape: shape, specs: specs)
            return nil
        } catch {
            return error.errorDescription
        }
    }

    @Test func networksOutsideTheLimitsAreRefusedBeforeAllocation() {
        let flatten = LayerSpec(name: "f", kind: .flatten)
        #expect(networkError(digit, []) == "network architecture is invalid: it has no layers")
        let many = (0..<65).map { LayerSpec(name: "f\($0)", kind: .flatten) }
        #expect(networkError(digit, many)?.contains("65 layers, more than the limit of 64") == true)
        // 784 x 100,000 weights: 78 M floats would be 314 MB before any check.
        #expect(
            networkError(digit, [flatten, LayerSpec(name: "d", kind: .dense, units: 100_000)])?
                .contains("more than 50000000 parameters (layer d has 78500000)") == true)
        // Several layers each under the limit, together over it.
        let wide = (0..<3).map { LayerSpec(name: "d\($0)", kind: .dense, units: 4096) }
        #expect(
            networkError(FeatureShape(height: 1, width: 1, channels: 4096), wide)?
                .contains("more than 50000000 parameters (layer d2") == true)
        #expect(
            networkError(digit, [LayerSpec(name: "c", kind: .conv2d, units: 5000, size: [3, 3])])
                == "layer c: conv2d needs a filter count in 1...4096")
        #expect(
            networkError(FeatureShape(height: 4096, width: 4096, channels: 2), [flatten])?
                .contains("more than 16777216 values") == true)
        #expect(networkError(FeatureShape(height: 0, width: 28, channels: 1), [flatten]) != nil)
        #expect(
            networkError(digit, [LayerSpec(name: "bad name", kind: .flatten)])
                == "layer 'bad name': a name is 1...64 letters, digits, '_' or '-'")
        // A control: the shipped architecture is well inside.
        #expect(networkError(digit, Sequential.mnistCNN().specs) == nil)
    }

    @Test func modelRequirementsNameTheUse() throws {
        let five = try Sequential(
            inputShape: digit,
            specs: [LayerSpec(name: "f", kind: .flatten), LayerSpec(name: "d", kind: .dense, units: 5)])
        #expect(
            ModelRequirement.mnistClassifier("evaluate").problem(with: five)
                == "evaluate needs a model with 28x28x1 inputs and 10 output classes; this one has 28x28x1 inputs and 5 outputs"
        )
        #expect(ModelRequirement.digitInput("render").problem(with: five) == nil)
        #expect(ModelRequirement.mnistClassifier("evaluate").problem(with: Sequential.mnistCNN()) == nil)
        let color = try Sequential(
            inputShape: FeatureShape(height: 28, width: 28, channels: 3), specs: [LayerSpec(name: "f", kind: .flatten)])
        #expect(
            ModelRequirement.digitInput("render").problem(with: color)?.hasPrefix(
                "render needs a model with 28x28x1 inputs;") == true)
    }

    @Test func evaluationRefusesAModelWithTooFewClasses() throws {
        // Labels go up to 9: a 5-class model would index its confusion matrix out of bounds.
        let five = try Sequential(
            inputShape: digit,
            specs: [LayerSpec(name: "f", kind: .flatten), LayerSpec(name: "d", kind: .dense, units: 5)])
        let data = MNISTDataset(images: [Float](repeating: 0, count: 784), labels: [9])
        #expect(
            throws: NetworkError.unsuitableModel(
                problem: ModelRequirement.mnistClassifier("evaluation").problem(with: five)!)
        ) {
            try Evaluation(model: five, data: data)
        }
        #expect(try Evaluation(model: Sequential.mnistCNN(), data: data).count == 1)
    }

    @Test func trainerRefusesSettingsModelsAndStateOutOfRange() throws {
        let model = Sequential.mnistCNN()
        func problem(_ edit: (inout Trainer.Settings) -> Void, velocity: [Float]? = nil, model: Sequential? = nil)
            -> String?
        {
            var settings = Trainer.Settings()
            edit(&settings)
            do {
                _ = try Trainer(model: model ?? Sequential.mnistCNN(), settings: settings, velocity: velocity)
                return nil
            } catch {
                return error.errorDescription
            }
        }
        #expect(problem { $0.batchSize = 0 } == "batchSize: must be in 1...4096, not 0")
        #expect(problem { $0.batchSize = 4_000_000_000_000 } == "batchSize: must be in 1...4096, not 4000000000000")
        #expect(problem { $0.epochs = -1 } == "epochs: must be in 1...1000, not -1")
        #expect(problem { $0.learningRate = .nan } == "learningRate: must be in (0, 10], not nan")
        #expect(problem { $0.momentum = 1 } == "momentum: must be in [0, 1), not 1")
        #expect(problem { $0.warmupBatches = -1 } == "warmupBatches: must be in 0...1000000, not -1")
        #expect(problem { $0.probeSize = 0 } == "probeSize: must be in 1...1000000, not 0")
        #expect(problem({ _ in }, velocity: [1, 2, 3]) == "velocity: has 3 values for 208982 parameters")
        let five = try Sequential(
            inputShape: digit,
            specs: [LayerSpec(name: "f", kind: .flatten), LayerSpec(name: "d", kind: .dense, units: 5)])
        #expect(problem({ _ in }, model: five)?.hasPrefix("training needs a model with 28x28x1 inputs and 10") == true)
        #expect(problem({ _ in }, velocity: [Float](repeating: 0, count: model.parameterCount)) == nil)
    }
}

/// A numeric kernel handed a shape it was not built for stops with a message naming the
/// layer, instead of reading past its buffers (the module is -Ounchecked in release,
/// where `precondition` would be gone). Each runs in a child process.
@Suite struct KernelCheckTests {
    @Test func denseRefusesTheWrongInputSize() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let dense = Dense(name: "d", inputs: 10, units: 3, activation: .linear)
            let input = [Float](repeating: 0, count: 20)
            dense.forward(input, shape: .vector(20), batch: 1)
        }.map { result in
            #expect(
                String(decoding: result.standardErrorContent, as: UTF8.self).contains(
                    "Dense d.forward: input 20 has 20 values, the layer takes 10"))
        }
    }

    @Test func convRefusesTheWrongChannelCount() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let conv = Conv2D(name: "c", inputChannels: 1, filters: 4)
            var parameters = [Float](repeating: 0, count: conv.parameterCount)
            parameters.withUnsafeMutableBufferPointer {
                conv.bind(parameters: $0.baseAddress!, gradients: $0.baseAddress!)
            }
            let input = [Float](repeating: 0, count: 8 * 8 * 3)
            conv.forward(input, shape: FeatureShape(height: 8, width: 8, channels: 3), batch: 1)
        }.map { result in
            #expect(
                String(decoding: result.standardErrorContent, as: UTF8.self).contains(
                    "Conv2D c.forward: input 8x8x3 does not fit 3x3 kernels over 1 channels"))
        }
    }

    @Test func poolRefusesAnInputSmallerThanItsWindow() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let pool = MaxPool2D(name: "p", pool: (4, 4))
            pool.forward(
                [Float](repeating: 0, count: 9), shape: FeatureShape(height: 3, width: 3, channels: 1), batch: 1)
        }.map { result in
            #expect(
                String(decoding: result.standardErrorContent, as: UTF8.self).contains(
                    "MaxPool2D p.forward: input 3x3x1 is smaller than its 4x4 window"))
        }
    }

    @Test func winogradRefusesTheWrongChannelCount() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let weights = [Float](repeating: 0, count: 9 * 8 * 4)
            let engine = WinogradConvolution(transform: .f2, weights: weights, channels: 8, filters: 4)
            var output = [Float](repeating: 0, count: 1024)
            engine.forward(
                [Float](repeating: 0, count: 6 * 6 * 2), shape: FeatureShape(height: 6, width: 6, channels: 2),
                batch: 1,
                into: &output)
        }.map { result in
            #expect(
                String(decoding: result.standardErrorContent, as: UTF8.self).contains(
                    "Winograd.forward: input 6x6x2 x 1 does not fit 3x3 filters over 8 channels"))
        }
    }

    @Test func backwardRefusesALayerTheForwardPassDidNotReach() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let model = Sequential.mnistCNN()
            let input = [Float](repeating: 0, count: 784)
            try? model.forward(input, batch: 1, through: 2)
            let seed = [Float](repeating: 0, count: 10)
            model.backward(from: 7, seed: seed, parameterGradients: false, inputGradient: nil)
        }.map { result in
            #expect(
                String(decoding: result.standardErrorContent, as: UTF8.self).contains(
                    "Sequential.backward: a seed on a layer the last forward pass did not reach"))
        }
    }
}
