import Dreaming
import Foundation
import Imaging
import Resampling

/// A grid of patterns (network inputs, all one size), each labelled with its map number,
/// under a title line.
public struct ContactSheet {
    public var columns = 8
    /// Enlargement of each pattern.
    public var scale = 4
    public var colormap: Colormap = .viridis
    public var gap = 4
    public var labelHeight = 14
    public var titleHeight = 24

    public init(columns: Int = 8, scale: Int = 4, colormap: Colormap = .viridis) {
        self.columns = columns
        self.scale = scale
        self.colormap = colormap
    }

    /// A cell: the enlarged pattern with its label strip above.
    func cellSize(patternWidth: Int, patternHeight: Int) -> (width: Int, height: Int) {
        (patternWidth * scale, patternHeight * scale + labelHeight)
    }

    /// Top-left corner of cell `index`'s picture for patterns of the given size.
    public func origin(of index: Int, patternWidth: Int, patternHeight: Int) -> (x: Int, y: Int) {
        let cell = cellSize(patternWidth: patternWidth, patternHeight: patternHeight)
        return (
            gap + (index % columns) * (cell.width + gap),
            titleHeight + gap + (index / columns) * (cell.height + gap) + labelHeight
        )
    }

    /// Each pattern is colored over its own range, so weak and strong maps both show
    /// their structure (the manifest keeps the real values).
    public func render(title: String, cells: [(label: String, image: Image)]) -> Image {
        let rows = max(1, (cells.count + columns - 1) / columns)
        let patternWidth = cells.first?.image.width ?? 0, patternHeight = cells.first?.image.height ?? 0
        let cell = cellSize(patternWidth: patternWidth, patternHeight: patternHeight)
        let width = gap + columns * (cell.width + gap)
        let height = titleHeight + gap + rows * (cell.height + gap)
        var sheet = Image(width: width, height: height, channels: 3, value: 0.08)
        BitmapFont.draw(title, into: &sheet, x: gap + 2, y: 5, scale: 3, color: (1, 1, 1))
        for (index, cell) in cells.enumerated() {
            let (x0, y0) = origin(of: index, patternWidth: patternWidth, patternHeight: patternHeight)
            BitmapFont.draw(
                cell.label, into: &sheet, x: x0 + 1, y: y0 - labelHeight + 2, scale: 2, color: (0.9, 0.9, 0.9))
            let colored = colormap.apply(to: cell.image).enlarged(by: scale)
            for c in 0..<3 {
                for y in 0..<colored.height {
                    for x in 0..<colored.width { sheet[x0 + x, y0 + y, c] = colored[x, y, c] }
                }
            }
        }
        return sheet
    }
}
