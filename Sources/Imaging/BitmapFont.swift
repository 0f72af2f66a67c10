/// A 3x5 pixel font for labels on sheets and heatmaps: digits, capitals and a little
/// punctuation. Lowercase letters draw as capitals.
public enum BitmapFont {
    static let glyphs: [Character: [UInt8]] = {
        // Each glyph: 5 rows of 3 bits, most significant bit left.
        let table: [(Character, [UInt8])] = [
            ("0", [7, 5, 5, 5, 7]), ("1", [2, 6, 2, 2, 7]), ("2", [7, 1, 7, 4, 7]), ("3", [7, 1, 7, 1, 7]),
            ("4", [5, 5, 7, 1, 1]), ("5", [7, 4, 7, 1, 7]), ("6", [7, 4, 7, 5, 7]), ("7", [7, 1, 2, 2, 2]),
            ("8", [7, 5, 7, 5, 7]), ("9", [7, 5, 7, 1, 7]),
            ("A", [2, 5, 7, 5, 5]), ("B", [6, 5, 6, 5, 6]), ("C", [3, 4, 4, 4, 3]), ("D", [6, 5, 5, 5, 6]),
            ("E", [7, 4, 6, 4, 7]), ("F", [7, 4, 6, 4, 4]), ("G", [3, 4, 5, 5, 3]), ("H", [5, 5, 7, 5, 5]),
            ("I", [7, 2, 2, 2, 7]), ("J", [1, 1, 1, 5, 2]), ("K", [5, 5, 6, 5, 5]), ("L", [4, 4, 4, 4, 7]),
            ("M", [5, 7, 7, 5, 5]), ("N", [6, 5, 5, 5, 5]), ("O", [2, 5, 5, 5, 2]), ("P", [6, 5, 6, 4, 4]),
            ("Q", [2, 5, 5, 6, 3]), ("R", [6, 5, 6, 5, 5]), ("S", [3, 4, 2, 1, 6]), ("T", [7, 2, 2, 2, 2]),
            ("U", [5, 5, 5, 5, 7]), ("V", [5, 5, 5, 5, 2]), ("W", [5, 5, 7, 7, 5]), ("X", [5, 5, 2, 5, 5]),
            ("Y", [5, 5, 2, 2, 2]), ("Z", [7, 1, 2, 4, 7]),
            (" ", [0, 0, 0, 0, 0]), (":", [0, 2, 0, 2, 0]), ("/", [1, 1, 2, 4, 4]), (".", [0, 0, 0, 0, 2]),
            ("-", [0, 0, 7, 0, 0]), ("=", [0, 7, 0, 7, 0]), ("%", [5, 1, 2, 4, 5]), ("(", [1, 2, 2, 2, 1]),
            (")", [4, 2, 2, 2, 4]), (",", [0, 0, 0, 2, 4]), ("_", [0, 0, 0, 0, 7]), ("x", [0, 5, 2, 5, 0]),
        ]
        return Dictionary(uniqueKeysWithValues: table)
    }()

    public static let glyphWidth = 3

    /// Width in pixels of `text` at `scale` (one blank column between glyphs).
    public static func width(of text: String, scale: Int = 1) -> Int {
        max(0, text.count * (glyphWidth + 1) - 1) * scale
    }

    /// Draws `text` into an RGB image with its top-left corner at (x, y); clipped at the edges.
    public static func draw(
        _ text: String, into image: inout Image, x: Int, y: Int, scale: Int = 1,
        color: (Float, Float, Float) = (1, 1, 1)
    ) {
        var cursor = x
        for character in text {
            let glyph = glyphs[character] ?? glyphs[Character(character.uppercased())] ?? glyphs["-"]!
            for (row, bits) in glyph.enumerated() {
                for column in 0..<glyphWidth where bits & (4 >> UInt8(column)) != 0 {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let px = cursor + column * scale + dx, py = y + row * scale + dy
                            guard px >= 0, py >= 0, px < image.width, py < image.height else { continue }
                            image[px, py, 0] = color.0
                            if image.channels >= 3 {
                                image[px, py, 1] = color.1
                                image[px, py, 2] = color.2
                            }
                        }
                    }
                }
            }
            cursor += (glyphWidth + 1) * scale
        }
    }
}
