import Dreaming
import Foundation
import Imaging
import Resampling

/// A grid of equally sized pictures under a title, each with a label strip above it (its
/// map number on the left, its score on the right) and, for maps that failed or never
/// fire, a mark on the picture itself.
public struct ContactSheet {
    /// How a cell is marked on the picture.
    public enum Mark: String, Codable, Sendable {
        case none
        /// A red frame: the map did not reach its bar.
        case failed
        /// A red frame and a cross: the map never fires on the reference set.
        case dead
    }

    public struct Cell {
        public var label: String
        public var score: String
        /// Gray or RGB; every cell of a sheet has the same size.
        public var image: Image
        public var mark: Mark

        public init(label: String, score: String = "", image: Image, mark: Mark = .none) {
            self.label = label
            self.score = score
            self.image = image
            self.mark = mark
        }
    }

    /// Where things sit on a sheet of a given cell size.
    public struct Layout: Sendable {
        public var columns: Int
        public var rows: Int
        public var cellWidth: Int
        public var cellHeight: Int
        /// Label lines above each picture (1, or 2 when map and score do not fit side by side).
        public var labelLines: Int
        public var labelScale: Int
        public var gap: Int
        public var titleHeight: Int
        public var labelHeight: Int { labelLines * (BitmapFont.height(scale: labelScale) + 3) + 2 }
        public var width: Int { gap + columns * (cellWidth + gap) }
        public var height: Int { titleHeight + gap + rows * (labelHeight + cellHeight + gap) }

        /// Top-left corner of cell `index`'s picture.
        public func origin(of index: Int) -> (x: Int, y: Int) {
            (
                gap + (index % columns) * (cellWidth + gap),
                titleHeight + gap + (index / columns) * (labelHeight + cellHeight + gap) + labelHeight
            )
        }
    }

    /// Cells per row; nil: 8, or 16 for sheets of more than 64 cells.
    public var columns: Int?
    /// Enlargement of 28x28 patterns made into cells by `patternCell`.
    public var scale: Int
    public var colormap: Colormap
    public var gap = 6
    public var labelScale = 2
    public var titleScale = 2
    static let background: Float = 0.08
    static let red: (Float, Float, Float) = (0.95, 0.15, 0.1)

    public init(columns: Int? = nil, scale: Int = 4, colormap: Colormap = .viridis) {
        self.columns = columns
        self.scale = scale
        self.colormap = colormap
    }

    /// A pattern (one network input) as a cell picture: colored over its own range, so weak and strong
    /// maps both show their structure (the manifest keeps the real values), and enlarged.
    public func patternCell(_ pattern: Image) -> Image {
        colormap.picture(of: pattern).enlarged(by: scale)
    }

    /// The layout `render` uses for these cells and title.
    public func layout(for cells: [Cell], title: String) -> Layout {
        let columns = max(1, min(self.columns ?? (cells.count > 64 ? 16 : 8), cells.count))
        var layout = Layout(
            columns: columns, rows: max(1, (cells.count + columns - 1) / columns),
            cellWidth: cells.first?.image.width ?? 0, cellHeight: cells.first?.image.height ?? 0,
            labelLines: 1, labelScale: labelScale, gap: gap, titleHeight: 0)
        // Map and score side by side when every cell has room, else on two lines.
        let widest =
            cells.map {
                BitmapFont.width(of: $0.label, scale: labelScale) + BitmapFont.width(of: $0.score, scale: labelScale)
                    + 2 * labelScale + 2
            }.max() ?? 0
        if widest > layout.cellWidth { layout.labelLines = 2 }
        let titleLines = BitmapFont.lines(title, width: layout.width - 2 * gap, scale: titleScale).count
        layout.titleHeight = titleLines * (BitmapFont.height(scale: titleScale) + 4) + 6
        return layout
    }

    public func render(title: String, cells: [Cell]) -> Image {
        let layout = layout(for: cells, title: title)
        var sheet = Image(width: layout.width, height: layout.height, channels: 3, value: Self.background)
        for (line, text) in BitmapFont.lines(title, width: layout.width - 2 * gap, scale: titleScale).enumerated() {
            BitmapFont.draw(
                text, into: &sheet, x: gap + 2, y: 6 + line * (BitmapFont.height(scale: titleScale) + 4),
                scale: titleScale, color: (1, 1, 1))
        }
        for (index, cell) in cells.enumerated() {
            precondition(cell.image.width == layout.cellWidth && cell.image.height == layout.cellHeight)
            let (x0, y0) = layout.origin(of: index)
            let lineHeight = BitmapFont.height(scale: labelScale) + 3
            let top = y0 - layout.labelHeight + 1
            let ink: (Float, Float, Float) = cell.mark == .none ? (0.92, 0.92, 0.92) : Self.red
            BitmapFont.draw(cell.label, into: &sheet, x: x0 + 1, y: top, scale: labelScale, color: (0.92, 0.92, 0.92))
            let scoreX = x0 + layout.cellWidth - BitmapFont.width(of: cell.score, scale: labelScale) - 1
            BitmapFont.draw(
                cell.score, into: &sheet, x: scoreX, y: top + (layout.labelLines - 1) * lineHeight, scale: labelScale,
                color: ink)
            Self.paste(cell.image, into: &sheet, x: x0, y: y0)
            if cell.mark != .none {
                Self.frame(&sheet, x: x0, y: y0, width: layout.cellWidth, height: layout.cellHeight)
            }
            if cell.mark == .dead {
                Self.cross(&sheet, x: x0, y: y0, width: layout.cellWidth, height: layout.cellHeight)
            }
        }
        return sheet
    }

    /// Copies a gray or RGB picture into the sheet.
    static func paste(_ image: Image, into sheet: inout Image, x: Int, y: Int) {
        for c in 0..<3 {
            let source = image.colorChannels >= 3 ? c : 0
            for yy in 0..<image.height where y + yy < sheet.height {
                for xx in 0..<image.width where x + xx < sheet.width {
                    sheet[x + xx, y + yy, c] = min(max(image[xx, yy, source], 0), 1)
                }
            }
        }
    }

    static func set(_ sheet: inout Image, _ x: Int, _ y: Int, _ color: (Float, Float, Float)) {
        guard x >= 0, y >= 0, x < sheet.width, y < sheet.height else { return }
        sheet[x, y, 0] = color.0
        sheet[x, y, 1] = color.1
        sheet[x, y, 2] = color.2
    }

    /// A 3-pixel red frame just inside the picture's edge.
    static func frame(_ sheet: inout Image, x: Int, y: Int, width: Int, height: Int) {
        let thickness = min(3, max(1, min(width, height) / 10))
        for t in 0..<thickness {
            for xx in x..<(x + width) {
                set(&sheet, xx, y + t, red)
                set(&sheet, xx, y + height - 1 - t, red)
            }
            for yy in y..<(y + height) {
                set(&sheet, x + t, yy, red)
                set(&sheet, x + width - 1 - t, yy, red)
            }
        }
    }

    /// Both diagonals, two pixels thick.
    static func cross(_ sheet: inout Image, x: Int, y: Int, width: Int, height: Int) {
        let steps = max(width, height)
        for i in 0..<steps {
            let xx = x + i * (width - 1) / max(steps - 1, 1)
            let yy = y + i * (height - 1) / max(steps - 1, 1)
            for d in 0..<2 {
                set(&sheet, xx + d, yy, red)
                set(&sheet, x + width - 1 - (xx - x) - d, yy, red)
            }
        }
    }
}
