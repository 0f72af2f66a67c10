import Foundation
import Imaging

/// An image moved by zoom about its centre, rotation and shift, resampled with a 4x4
/// bicubic kernel (Keys, a = -0.5, the same weights as `Resampler`); outside the image the
/// border pixel repeats, so a zoom-out never brings in black.
public struct AffineWarp: Sendable, Equatable {
    /// Scale factor: above 1 the content grows (zooms in).
    public var zoom: Double
    /// Counter-clockwise rotation of the content, degrees.
    public var degrees: Double
    /// Shift of the content in pixels (x right, y down).
    public var shiftX: Double
    public var shiftY: Double

    public init(zoom: Double = 1, degrees: Double = 0, shiftX: Double = 0, shiftY: Double = 0) {
        self.zoom = zoom
        self.degrees = degrees
        self.shiftX = shiftX
        self.shiftY = shiftY
    }

    public var isIdentity: Bool {
        zoom == 1 && degrees.truncatingRemainder(dividingBy: 360) == 0 && shiftX == 0 && shiftY == 0
    }

    /// The warped image, same size and channels.
    public func apply(to image: Image) -> Image {
        if isIdentity { return image }
        let w = image.width, h = image.height
        let cx = Double(w - 1) / 2, cy = Double(h - 1) / 2
        // Inverse map: output pixel -> source position. Rotation is counter-clockwise on
        // screen (y down), hence the sign of sin.
        let radians = degrees * Double.pi / 180
        let c = cos(radians) / zoom, s = sin(radians) / zoom
        var out = Image(width: w, height: h, channels: image.channels)
        let planeSize = image.planeSize
        var wx = [Float](repeating: 0, count: 4), wy = wx
        var ix = [Int](repeating: 0, count: 4), iy = ix
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let dy = Double(y) - cy - shiftY
                    for x in 0..<w {
                        let dx = Double(x) - cx - shiftX
                        let sx = cx + c * dx - s * dy
                        let sy = cy + s * dx + c * dy
                        let fx = sx.rounded(.down), fy = sy.rounded(.down)
                        let x0 = Int(fx), y0 = Int(fy)
                        for k in 0..<4 {
                            wx[k] = Float(ResamplingKernel.bicubic.weight(sx - Double(x0 - 1 + k)))
                            wy[k] = Float(ResamplingKernel.bicubic.weight(sy - Double(y0 - 1 + k)))
                            ix[k] = EdgeMode.clamp.map(x0 - 1 + k, count: w)
                            iy[k] = EdgeMode.clamp.map(y0 - 1 + k, count: h)
                        }
                        for ch in 0..<image.channels {
                            let base = ch * planeSize
                            var sum: Float = 0
                            for j in 0..<4 where wy[j] != 0 {
                                let row = base + iy[j] * w
                                var rowSum: Float = 0
                                for i in 0..<4 where wx[i] != 0 { rowSum += wx[i] * src[row + ix[i]] }
                                sum += wy[j] * rowSum
                            }
                            dst[base + y * w + x] = sum
                        }
                    }
                }
            }
        }
        return out
    }
}
