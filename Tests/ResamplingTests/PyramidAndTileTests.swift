import Imaging
import NeuralNet
import Testing

@testable import Resampling

@Suite struct OctavePyramidTests {
    @Test func sizesSmallestFirst() {
        let sizes = OctavePyramid.sizes(width: 640, height: 427, count: 4, scale: 1.4)
        #expect(sizes.map(\.width) == [233, 327, 457, 640])
        #expect(sizes.map(\.height) == [156, 218, 305, 427])
        #expect(OctavePyramid.sizes(width: 10, height: 7, count: 1, scale: 2) == [.init(width: 10, height: 7)])
        #expect(OctavePyramid.sizes(width: 3, height: 3, count: 4, scale: 3).first == .init(width: 1, height: 1))
    }

    @Test func detailsRestoreEachLevel() {
        var rng = SeededGenerator(seed: 9)
        let image = Image(
            width: 50, height: 37, pixels: (0..<(50 * 37)).map { _ in Float.random(in: 0...1, using: &rng) })
        let pyramid = OctavePyramid(image: image, count: 3, scale: 1.5)
        #expect(pyramid.levels.last == image)
        for i in 1..<3 {
            let up = pyramid.levels[i - 1].resized(width: pyramid.sizes[i].width, height: pyramid.sizes[i].height)
            let restored = zip(up.pixels, pyramid.details[i].pixels).map(+)
            #expect(zip(restored, pyramid.levels[i].pixels).allSatisfy { abs($0 - $1) < 1e-5 })
        }
    }

    /// One octave's detail computed alone equals the whole pyramid's, bit for bit (a
    /// render computes them one at a time to keep its memory bounded).
    @Test func detailAloneEqualsThePyramids() {
        var rng = SeededGenerator(seed: 4)
        let image = Image(
            width: 61, height: 44, pixels: (0..<(61 * 44)).map { _ in Float.random(in: 0...1, using: &rng) })
        let pyramid = OctavePyramid(image: image, count: 4, scale: 1.4)
        for octave in 0..<4 {
            let alone = OctavePyramid.detail(of: image, sizes: pyramid.sizes, octave: octave)
            #expect(alone.pixels.map(\.bitPattern) == pyramid.details[octave].pixels.map(\.bitPattern))
        }
    }
}

@Suite struct TileGridTests {
    @Test func tilesCoverEveryPixelForEverySize() {
        for size in 1...100 {
            for overlap in [0, 4, 13] {
                for offset in [0, 7] where offset < 28 - overlap {
                    let grid = TileGrid(
                        imageWidth: size, imageHeight: max(1, 101 - size), tileSize: 28, overlap: overlap,
                        offsetX: offset, offsetY: 0)
                    // Every column is inside some tile, and the grid reaches past both ends.
                    #expect(grid.columnStarts.first! <= 0)
                    #expect(grid.columnStarts.last! + 28 >= size)
                    for (a, b) in zip(grid.columnStarts, grid.columnStarts.dropFirst()) {
                        #expect(b - a == 28 - overlap)
                    }
                    // No superfluous tile: the one before the last does not already reach the end.
                    if grid.columnStarts.count > 1 {
                        #expect(grid.columnStarts[grid.columnStarts.count - 2] + 28 < size)
                    }
                }
            }
        }
    }

    @Test func splitThenAssembleIsIdentity() {
        var rng = SeededGenerator(seed: 1)
        for (w, h) in [(28, 28), (61, 45), (13, 9), (100, 3)] {
            let image = Image(
                width: w, height: h, pixels: (0..<(w * h)).map { _ in Float.random(in: 0...1, using: &rng) })
            for overlap in [0, 6] {
                let grid = TileGrid.random(imageWidth: w, imageHeight: h, tileSize: 28, overlap: overlap, using: &rng)
                let tiles = grid.extract(from: image)
                #expect(tiles.count == grid.count * 28 * 28)
                var back = Image(width: w, height: h)
                tiles.withUnsafeBufferPointer { grid.assemble($0.baseAddress!, into: &back) }
                let worst = zip(back.pixels, image.pixels).map { abs($0 - $1) }.max()!
                #expect(worst < 1e-6, "\(w)x\(h) overlap \(overlap)")
            }
        }
    }

    /// Tiles extracted and accumulated a group at a time give what `assemble` gives for
    /// all of them at once, bit for bit.
    @Test func groupsOfTilesAssembleLikeAllAtOnce() {
        var rng = SeededGenerator(seed: 2)
        let (w, h) = (97, 64)
        let image = Image(width: w, height: h, pixels: (0..<(w * h)).map { _ in Float.random(in: 0...1, using: &rng) })
        let grid = TileGrid(imageWidth: w, imageHeight: h, tileSize: 28, overlap: 5, offsetX: 3, offsetY: 11)
        // Stand-in gradients: the tiles themselves, scaled per tile so the order matters.
        let original = grid.extract(from: image)
        var tiles = original
        for t in 0..<grid.count { for i in 0..<784 { tiles[t * 784 + i] *= Float(t + 1) } }
        var whole = Image(width: w, height: h)
        tiles.withUnsafeBufferPointer { grid.assemble($0.baseAddress!, into: &whole) }
        var sum = [Float](repeating: 0, count: w * h), weights = sum
        var group = [Float](repeating: 0, count: 7 * 784)
        for first in stride(from: 0, to: grid.count, by: 7) {
            let range = first..<min(first + 7, grid.count)
            group.withUnsafeMutableBufferPointer { grid.extract(from: image, tiles: range, into: $0.baseAddress!) }
            #expect(Array(group[0..<(range.count * 784)]) == Array(original[(first * 784)..<(range.upperBound * 784)]))
            let part = Array(tiles[(first * 784)..<(range.upperBound * 784)])
            part.withUnsafeBufferPointer {
                grid.accumulate($0.baseAddress!, tiles: range, into: &sum, weights: &weights)
            }
        }
        let grouped = zip(sum, weights).map { $0 / $1 }
        #expect(grouped.map(\.bitPattern) == whole.pixels.map(\.bitPattern))
    }

    @Test func outsidePixelsAreReflected() {
        let image = Image(width: 3, height: 1, pixels: [0.1, 0.2, 0.3])
        let grid = TileGrid(imageWidth: 3, imageHeight: 1, tileSize: 4, offsetX: 2, offsetY: 0)
        let tiles = grid.extract(from: image)
        // Row 0 of the tile starting at x = -2: reflect(-2, -1, 0, 1) = (2, 1, 0, 1)
        #expect(Array(tiles[0..<4]) == [0.3, 0.2, 0.1, 0.2])
    }
}
