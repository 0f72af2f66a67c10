import Dreaming
import Imaging

/// The confusion matrix as a picture: rows true digits, columns predictions, each cell
/// colored by the share of its row (log scale, so rare confusions show) and labelled with
/// its count.
public enum ConfusionHeatmap {
    public static func draw(_ confusion: [[Int]], cell: Int = 36, colormap: Colormap = .viridis) -> Image {
        let n = confusion.count
        let margin = 24
        var image = Image(width: margin + n * cell, height: margin + n * cell, channels: 3, value: 1)
        for d in 0..<n {
            let label = String(d)
            BitmapFont.draw(
                label, into: &image, x: margin + d * cell + (cell - BitmapFont.width(of: label, scale: 2)) / 2,
                y: 5, scale: 2, color: (0, 0, 0))
            BitmapFont.draw(
                label, into: &image, x: 6, y: margin + d * cell + (cell - 10) / 2, scale: 2, color: (0, 0, 0))
        }
        for (row, counts) in confusion.enumerated() {
            let total = max(1, counts.reduce(0, +))
            for (column, count) in counts.enumerated() {
                // log10 share from 1e-4 (0) to 1 (top of the colormap)
                let share = Double(count) / Double(total)
                let t = count == 0 ? 0 : Float(max(0, (log10(share) + 4) / 4))
                let color = colormap.color(t)
                let x0 = margin + column * cell, y0 = margin + row * cell
                for y in y0..<(y0 + cell - 1) {
                    for x in x0..<(x0 + cell - 1) {
                        image[x, y, 0] = color.0
                        image[x, y, 1] = color.1
                        image[x, y, 2] = color.2
                    }
                }
                let text = String(count)
                let scale = text.count > 3 ? 1 : 2
                let ink: (Float, Float, Float) = t > 0.6 ? (0, 0, 0) : (1, 1, 1)
                BitmapFont.draw(
                    text, into: &image, x: x0 + (cell - BitmapFont.width(of: text, scale: scale)) / 2,
                    y: y0 + (cell - 5 * scale) / 2, scale: scale, color: ink)
            }
        }
        return image
    }
}

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif
