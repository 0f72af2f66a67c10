import Dreaming
import Imaging

/// The confusion matrix as a picture: rows true digits, columns predictions, each cell
/// colored by the share of its row (log scale, so rare confusions show) and labelled with
/// its count; axis titles say which is which.
public enum ConfusionHeatmap {
    /// Cells are `cell` pixels square; counts of up to 4 digits are drawn at scale 2
    /// (30 pixels wide), longer ones at scale 1.
    public static func draw(_ confusion: [[Int]], cell: Int = 44, colormap: Colormap = .viridis) -> Image {
        let n = confusion.count
        let text = 2, textHeight = BitmapFont.height(scale: text)
        // Left: the vertical "true" title and the row digits; top: "predicted" and the column digits.
        let left = textHeight + 8 + BitmapFont.width(of: String(max(n - 1, 0)), scale: text) + 8
        let top = textHeight + 8 + textHeight + 8
        let black: (Float, Float, Float) = (0, 0, 0)
        var image = Image(width: left + n * cell + 4, height: top + n * cell + 4, channels: 3, value: 1)
        BitmapFont.draw(
            centered: "predicted", into: &image, centerX: left + n * cell / 2, y: 4, scale: text, color: black)
        let title = "true"
        BitmapFont.draw(
            vertical: title, into: &image, x: 4, y: top + (n * cell - BitmapFont.width(of: title, scale: text)) / 2,
            scale: text, color: black)
        for d in 0..<n {
            let label = String(d)
            BitmapFont.draw(
                centered: label, into: &image, centerX: left + d * cell + cell / 2, y: textHeight + 12, scale: text,
                color: black)
            BitmapFont.draw(
                label, into: &image, x: left - 6 - BitmapFont.width(of: label, scale: text),
                y: top + d * cell + (cell - textHeight) / 2, scale: text, color: black)
        }
        for (row, counts) in confusion.enumerated() {
            let total = max(1, counts.reduce(0, +))
            for (column, count) in counts.enumerated() {
                // log10 share from 1e-4 (0) to 1 (top of the colormap)
                let share = Double(count) / Double(total)
                let t = count == 0 ? 0 : Float(max(0, (log10(share) + 4) / 4))
                let color = colormap.color(t)
                let x0 = left + column * cell, y0 = top + row * cell
                for y in y0..<(y0 + cell - 1) {
                    for x in x0..<(x0 + cell - 1) {
                        image[x, y, 0] = color.0
                        image[x, y, 1] = color.1
                        image[x, y, 2] = color.2
                    }
                }
                let label = String(count)
                let scale = BitmapFont.width(of: label, scale: 2) <= cell - 4 ? 2 : 1
                // Dark ink on the light end of the colormap, light ink on the dark end.
                let luminance = 0.299 * color.0 + 0.587 * color.1 + 0.114 * color.2
                let ink: (Float, Float, Float) = luminance > 0.5 ? (0, 0, 0) : (1, 1, 1)
                BitmapFont.draw(
                    centered: label, into: &image, centerX: x0 + (cell - 1) / 2,
                    y: y0 + (cell - 1 - BitmapFont.height(scale: scale)) / 2, scale: scale, color: ink)
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
