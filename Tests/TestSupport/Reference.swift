import Foundation
import NeuralNet

/// Plain Double-precision forward passes, written independently of the library's float
/// kernels: the finite differences are taken on these (layer gradients in NeuralNetTests,
/// the dream objective's input gradient in DreamingTests).
public enum Reference {
    public struct Tensor {
        public var shape: FeatureShape
        public var values: [Double]  // (N, H, W, C)
        public init(shape: FeatureShape, values: [Double]) {
            self.shape = shape
            self.values = values
        }
    }

    /// One layer's values in a forward pass: before and after its activation (the same
    /// for layers without one).
    public struct LayerValues {
        public var preActivation: Tensor
        public var output: Tensor
    }

    public static func conv(_ x: Tensor, batch: Int, weights: [Double], bias: [Double], kh: Int, kw: Int, filters: Int)
        -> Tensor
    {
        let s = x.shape
        let out = FeatureShape(height: s.height - kh + 1, width: s.width - kw + 1, channels: filters)
        var y = [Double](repeating: 0, count: batch * out.count)
        for n in 0..<batch {
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    for k in 0..<filters {
                        var sum = bias[k]
                        for ky in 0..<kh {
                            for kx in 0..<kw {
                                for c in 0..<s.channels {
                                    sum +=
                                        x.values[n * s.count + ((oy + ky) * s.width + ox + kx) * s.channels + c]
                                        * weights[((ky * kw + kx) * s.channels + c) * filters + k]
                                }
                            }
                        }
                        y[n * out.count + (oy * out.width + ox) * filters + k] = sum
                    }
                }
            }
        }
        return Tensor(shape: out, values: y)
    }

    public static func maxPool(_ x: Tensor, batch: Int, ph: Int, pw: Int) -> Tensor {
        let s = x.shape
        let out = FeatureShape(height: s.height / ph, width: s.width / pw, channels: s.channels)
        var y = [Double](repeating: -.infinity, count: batch * out.count)
        for n in 0..<batch {
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    for c in 0..<s.channels {
                        for py in 0..<ph {
                            for px in 0..<pw {
                                let v = x.values[
                                    n * s.count + ((oy * ph + py) * s.width + ox * pw + px) * s.channels + c]
                                let o = n * out.count + (oy * out.width + ox) * s.channels + c
                                y[o] = max(y[o], v)
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: out, values: y)
    }

    public static func dense(_ x: Tensor, batch: Int, weights: [Double], bias: [Double], units: Int) -> Tensor {
        let inputs = x.shape.count
        var y = [Double](repeating: 0, count: batch * units)
        for n in 0..<batch {
            for k in 0..<units {
                var sum = bias[k]
                for i in 0..<inputs { sum += x.values[n * inputs + i] * weights[i * units + k] }
                y[n * units + k] = sum
            }
        }
        return Tensor(shape: .vector(units), values: y)
    }

    public static func activate(_ x: Tensor, batch: Int, _ activation: Activation) -> Tensor {
        switch activation {
        case .linear:
            return x
        case .relu:
            return Tensor(shape: x.shape, values: x.values.map { max($0, 0) })
        case .softmax:
            let units = x.shape.count
            var y = x.values
            for n in 0..<batch {
                let row = Array(x.values[n * units..<(n + 1) * units])
                let top = row.max()!
                let e = row.map { exp($0 - top) }
                let sum = e.reduce(0, +)
                for k in 0..<units { y[n * units + k] = e[k] / sum }
            }
            return Tensor(shape: x.shape, values: y)
        }
    }

    /// The whole model in Double with the given parameters (same layout as the model's buffer).
    public static func forward(
        _ model: Sequential, parameters: [Double], input: [Double], batch: Int, shape: FeatureShape
    ) -> Tensor {
        layers(model, parameters: parameters, input: input, batch: batch, shape: shape).last!.output
    }

    /// Every layer's values through `lastLayer` (all by default).
    public static func layers(
        _ model: Sequential, parameters: [Double], input: [Double], batch: Int, shape: FeatureShape,
        through lastLayer: Int? = nil
    ) -> [LayerValues] {
        var x = Tensor(shape: shape, values: input)
        var offset = 0
        var result: [LayerValues] = []
        for layer in model.layers[0...(lastLayer ?? model.layers.count - 1)] {
            let spec = layer.spec
            var pre = x
            switch spec.kind {
            case .conv2d:
                let kh = spec.size![0], kw = spec.size![1], k = spec.units!
                let count = kh * kw * x.shape.channels * k
                pre = conv(
                    x, batch: batch, weights: Array(parameters[offset..<offset + count]),
                    bias: Array(parameters[offset + count..<offset + count + k]), kh: kh, kw: kw, filters: k)
                offset += count + k
                x = activate(pre, batch: batch, spec.activation ?? .linear)
            case .maxpool2d:
                x = maxPool(x, batch: batch, ph: spec.size![0], pw: spec.size![1])
                pre = x
            case .flatten:
                x = Tensor(shape: .vector(x.shape.count), values: x.values)
                pre = x
            case .dense:
                let units = spec.units!, count = x.shape.count * units
                pre = dense(
                    x, batch: batch, weights: Array(parameters[offset..<offset + count]),
                    bias: Array(parameters[offset + count..<offset + count + units]), units: units)
                offset += count + units
                x = activate(pre, batch: batch, spec.activation ?? .linear)
            }
            result.append(LayerValues(preActivation: pre, output: x))
        }
        return result
    }
}

/// Seeded random numbers for tests.
public struct TestGenerator: RandomNumberGenerator {
    var inner: SeededGenerator
    public init(_ seed: UInt64) { inner = SeededGenerator(seed: seed) }
    public mutating func next() -> UInt64 { inner.next() }
    public mutating func uniform(_ count: Int, _ range: ClosedRange<Float> = -1...1) -> [Float] {
        (0..<count).map { _ in Float.random(in: range, using: &self) }
    }
}
