import Dreaming
import Imaging
import NeuralNet

/// A layer's activation maps for one input, 8 per row, each under its map number, with
/// the input beside them and a title line naming the layer.
public enum ActivationGrid {
    public static let columns = 8
    static let labelScale = 2
    static var labelHeight: Int { BitmapFont.height(scale: labelScale) + 4 }
    static let gap = 3

    /// `standardize` is the seed's per-map scaling: (x - mean) / std * 64 + 128, clipped
    /// to 0...255; otherwise one color scale spans the layer's whole range. The title
    /// names the layer, the input (`inputName`) and the scaling.
    public static func render(
        model: Sequential, input: [Float], layer name: String, standardize: Bool,
        colormap: Colormap, inputName: String? = nil
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
        let layout = Layout(shape: shape)
        let maps = shape.channels
        let low = values.min() ?? 0, high = values.max() ?? 1
        let scaling = standardize && !shape.isVector ? "each map standardised" : "one color scale"
        let heading =
            "\(model.layers[layer].name)\(inputName.map { " on " + $0 } ?? ""): \(maps) \(shape.isVector ? "units" : "maps"), \(scaling)"
        var sheet = Image(width: layout.width, height: layout.height, channels: 3, value: 0.08)
        for (line, text) in BitmapFont.lines(heading, width: layout.width - 2 * gap, scale: 2).enumerated()
        where line < 2 {
            BitmapFont.draw(text, into: &sheet, x: gap + 1, y: 5 + line * 14, scale: 2, color: (1, 1, 1))
        }

        // The input as the network sees it.
        let inputShape = model.inputShape
        // A colour input shows in its own colours (the values come interleaved).
        let inputImage =
            (inputShape.channels == 3
            ? OIPSearch.image(input[...], input: inputShape)
            : colormap.apply(
                to: Image(
                    width: inputShape.width, height: inputShape.height,
                    pixels: Array(input.prefix(inputShape.width * inputShape.height))), low: 0, high: 1))
            .resized(width: layout.inputSide, height: layout.inputSide, kernel: .nearest)
        BitmapFont.draw(
            "input", into: &sheet, x: gap, y: layout.top + 2, scale: labelScale, color: (0.9, 0.9, 0.9))
        paste(inputImage, into: &sheet, x: gap, y: layout.top + labelHeight)

        for m in 0..<maps {
            var plane = Image(width: shape.width, height: shape.height)
            for p in 0..<(shape.height * shape.width) { plane.pixels[p] = values[p * maps + m] }
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
            let enlarged = colored.resized(width: layout.cellWidth, height: layout.cellHeight, kernel: .nearest)
            let (x, y) = layout.origin(of: m)
            BitmapFont.draw(
                String(m), into: &sheet, x: x, y: y - labelHeight + 1, scale: labelScale, color: (0.9, 0.9, 0.9))
            paste(enlarged, into: &sheet, x: x, y: y)
        }
        return sheet
    }

    /// Where the input and each map's cell sit.
    public struct Layout: Sendable {
        public let cellWidth: Int
        public let cellHeight: Int
        public let inputSide: Int
        public let rows: Int
        /// Top of the first label line, below the title.
        public let top = 36
        public let gridX: Int

        public init(shape: FeatureShape) {
            let scale = shape.isVector ? 24 : max(1, 96 / max(shape.height, shape.width))
            cellWidth = shape.width * scale
            cellHeight = shape.height * scale
            inputSide = max(cellHeight, 112)
            rows = (shape.channels + ActivationGrid.columns - 1) / ActivationGrid.columns
            gridX = ActivationGrid.gap + inputSide + 3 * ActivationGrid.gap
        }

        public var width: Int { gridX + ActivationGrid.columns * (cellWidth + ActivationGrid.gap) }
        public var height: Int {
            max(
                top + labelHeight + inputSide + ActivationGrid.gap,
                top + rows * (labelHeight + cellHeight + ActivationGrid.gap))
        }

        /// Top-left corner of map `m`'s picture (its number sits in the line above).
        public func origin(of m: Int) -> (x: Int, y: Int) {
            (
                gridX + (m % ActivationGrid.columns) * (cellWidth + ActivationGrid.gap),
                top + (m / ActivationGrid.columns) * (labelHeight + cellHeight + ActivationGrid.gap) + labelHeight
            )
        }
    }

    static func paste(_ image: Image, into sheet: inout Image, x: Int, y: Int) {
        for c in 0..<3 {
            for yy in 0..<image.height where y + yy < sheet.height {
                for xx in 0..<image.width where x + xx < sheet.width { sheet[x + xx, y + yy, c] = image[xx, yy, c] }
            }
        }
    }
}
