import Dreaming
import Imaging
import NeuralNet

/// A layer's activation maps for one input, 8 per row, with the input beside them.
public enum ActivationGrid {
    public static let columns = 8

    /// `standardize` is the seed's per-map scaling: (x - mean) / std * 64 + 128, clipped
    /// to 0...255; otherwise one color scale spans the layer's whole range.
    public static func render(
        model: Sequential, input: [Float], layer name: String, standardize: Bool,
        colormap: Colormap
    ) throws(DreamError) -> Image {
        let layer: Int
        do {
            layer = try model.layerIndex(named: name)
        } catch {
            throw .invalidSetting(key: "layer", problem: error.errorDescription ?? name)
        }
        guard input.count == model.inputShape.count else {
            throw .invalidSetting(
                key: "input", problem: "\(input.count) values for a network that takes \(model.inputShape)")
        }
        // Cannot throw: the trained input shape (the default) passes every layer.
        input.withUnsafeBufferPointer { try! model.forward($0.baseAddress!, batch: 1, through: layer) }
        let shape = model.outputShape(ofLayer: layer)
        let values = Array(UnsafeBufferPointer(start: model.layers[layer].output, count: shape.count))
        let maps = shape.channels, side = (shape.height, shape.width)
        let scale = shape.isVector ? 24 : max(1, 96 / max(side.0, side.1))
        let cellW = side.1 * scale, cellH = side.0 * scale, gap = 3
        let rows = (maps + columns - 1) / columns
        let inputSide = max(cellH, 112)
        let gridX = gap + inputSide + 3 * gap
        let width = gridX + columns * (cellW + gap)
        let height = max(inputSide + 2 * gap + 12, gap + rows * (cellH + gap))
        var sheet = Image(width: width, height: height, channels: 3, value: 0.08)

        // The input as the network sees it.
        let inputShape = model.inputShape
        let inputImage = colormap.apply(
            to: Image(width: inputShape.width, height: inputShape.height, pixels: input), low: 0, high: 1
        )
        .resized(width: inputSide, height: inputSide, kernel: .nearest)
        paste(inputImage, into: &sheet, x: gap, y: gap)
        BitmapFont.draw("INPUT", into: &sheet, x: gap, y: gap + inputSide + 3, scale: 2, color: (0.9, 0.9, 0.9))

        let low = values.min() ?? 0, high = values.max() ?? 1
        for m in 0..<maps {
            var plane = Image(width: side.1, height: side.0)
            for p in 0..<(side.0 * side.1) { plane.pixels[p] = values[p * maps + m] }
            let colored: Image
            if standardize && !shape.isVector {
                let mean = plane.pixels.reduce(0, +) / Float(plane.pixels.count)
                let variance = plane.pixels.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(plane.pixels.count)
                let std = variance.squareRoot()
                if std > 0 { plane.pixels = plane.pixels.map { min(max(($0 - mean) / std * 64 + 128, 0), 255) / 255 } }
                colored = colormap.apply(to: plane, low: 0, high: 1)
            } else {
                colored = colormap.apply(to: plane, low: low, high: high)
            }
            let enlarged = colored.resized(width: cellW, height: cellH, kernel: .nearest)
            paste(
                enlarged, into: &sheet, x: gridX + (m % columns) * (cellW + gap), y: gap + (m / columns) * (cellH + gap)
            )
        }
        return sheet
    }

    static func paste(_ image: Image, into sheet: inout Image, x: Int, y: Int) {
        for c in 0..<3 {
            for yy in 0..<image.height where y + yy < sheet.height {
                for xx in 0..<image.width where x + xx < sheet.width { sheet[x + xx, y + yy, c] = image[xx, yy, c] }
            }
        }
    }
}
