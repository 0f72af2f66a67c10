import Dreaming
import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

@testable import Pictures

/// Honest OIP sheets: the bar is the best test digit, dead maps are named, failures are
/// marked on the picture and in the JSON, and the default patterns have shapes.
@Suite struct OIPSheetTests {
    static let mnist = repositoryRoot + "/data/mnist"

    /// Mean squared difference of neighbouring pixels over the pattern's variance: about 2
    /// for white noise, near 0 for smooth shapes.
    static func roughness(_ image: Image) -> Float {
        let w = image.width, h = image.height
        var sum: Float = 0, count: Float = 0
        for y in 0..<h {
            for x in 0..<w {
                if x + 1 < w {
                    sum += (image[x + 1, y] - image[x, y]) * (image[x + 1, y] - image[x, y])
                    count += 1
                }
                if y + 1 < h {
                    sum += (image[x, y + 1] - image[x, y]) * (image[x, y + 1] - image[x, y])
                    count += 1
                }
            }
        }
        let mean = image.mean
        let variance = image.pixels.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(image.pixels.count)
        return sum / count / max(variance, 1e-12)
    }

    /// Each map's largest mean ReLU response over `data`, computed with the plain im2col
    /// network, independently of the OIP search's Winograd replicas.
    static func testMax(model: Sequential, layer: Int, data: MNISTDataset) throws -> [Float] {
        let shape = try model.outputShapes(for: model.inputShape)[layer]
        var top = [Float](repeating: 0, count: shape.channels)
        let positions = shape.height * shape.width
        try data.images.withUnsafeBufferPointer { images in
            for n in 0..<data.count {
                try model.forward(images.baseAddress! + n * 784, batch: 1, through: layer)
                let out = model.layers[layer].output
                for m in 0..<shape.channels {
                    var sum: Float = 0
                    for p in 0..<positions { sum += out[p * shape.channels + m] }
                    top[m] = max(top[m], sum / Float(positions))
                }
            }
        }
        return top
    }

    @Test func deadMapsAreReportedDeadAndFailuresMarked() throws {
        let test = try MNISTDataset(directory: Self.mnist, split: .test).prefix(1000)
        let model = try bundledModel()
        // conv2 maps 8 and 35 are silenced (a bias of -1000: they never fire on a test
        // digit, the bundled model has no dead map of its own); 1 and 5 fire.
        let bias = model.parameters.pointer + model.tensors.first { $0.name == "conv2.bias" }!.offset
        bias[8] = -1000
        bias[35] = -1000
        let maps = [8, 1, 35, 5]
        let reference = try Self.testMax(model: model, layer: model.layerIndex(named: "conv2"), data: test)
        #expect(reference[8] == 0 && reference[35] == 0 && reference[1] > 0.01 && reference[5] > 0.01)
        var settings = OIPSearch.Settings()
        settings.steps = 60
        let sheet = ContactSheet(scale: 2)
        let result = try LayerSheet.make(
            model: model, layer: "conv2", maps: maps, reference: test, settings: settings, sheet: sheet)
        let m = result.manifest
        #expect(m.total == 4 && m.succeeded + m.failed + m.dead == 4 && m.dead == 2)
        for entry in m.maps {
            #expect(
                abs(entry.testMax - reference[entry.map]) <= 1e-4 * max(1, reference[entry.map]), "map \(entry.map)")
            if reference[entry.map] == 0 {
                #expect(entry.verdict == .dead && entry.ratio == nil, "map \(entry.map)")
            } else {
                #expect(entry.verdict == (entry.activation > entry.testMax ? .succeeded : .failed))
                #expect(abs(entry.ratio! - entry.activation / entry.testMax) < 1e-6)
            }
        }
        // Maps 1 and 5 have strong patterns: 60 steps beat every test digit.
        #expect(m.maps[1].verdict == .succeeded && m.maps[3].verdict == .succeeded, "\(m.maps.map(\.verdict))")

        // The JSON says it too, in keys a script can read.
        let json = try JSONSerialization.jsonObject(with: Data(result.manifestJSON())) as! [String: Any]
        #expect(json["dead"] as? Int == 2 && json["succeeded"] as? Int == m.succeeded)
        let entries = json["maps"] as! [[String: Any]]
        #expect(entries[0]["verdict"] as? String == "dead" && entries[0]["dead"] as? Bool == true)
        #expect(entries[0]["succeeded"] as? Bool == false && entries[0]["ratio"] is NSNull)
        #expect(entries[1]["verdict"] as? String == "succeeded" && entries[1]["dead"] as? Bool == false)

        // On the picture: dead cells crossed and labelled DEAD, successes unmarked with their ratio.
        let layout = result.layout
        let red = { (x: Int, y: Int) in
            result.image[x, y, 0] > 0.9 && result.image[x, y, 1] < 0.2 && result.image[x, y, 2] < 0.2
        }
        for (i, entry) in m.maps.enumerated() {
            let (x0, y0) = layout.origin(of: i)
            let score = entry.ratio.map { LayerSheet.ratioText($0) } ?? "DEAD"
            let ink: (Float, Float, Float) = entry.verdict == .succeeded ? (0.92, 0.92, 0.92) : ContactSheet.red
            let top = y0 - layout.labelHeight + 1
            #expect(
                textIsDrawn(String(entry.map), in: result.image, x: x0 + 1, y: top, scale: 2, ink: (0.92, 0.92, 0.92)))
            #expect(
                textIsDrawn(
                    score, in: result.image, x: x0 + 56 - BitmapFont.width(of: score, scale: 2) - 1, y: top, scale: 2,
                    ink: ink),
                "score \(score) of map \(entry.map)")
            #expect(red(x0 + 28, y0 + 28) == (entry.verdict == .dead), "cross on map \(entry.map)")
            #expect(red(x0, y0 + 20) == (entry.verdict != .succeeded), "frame on map \(entry.map)")
        }
    }

    @Test func aPatternBelowTheBestTestDigitFails() throws {
        // One step from noise cannot beat the best test digit (and no retry may rescue it).
        let test = try MNISTDataset(directory: Self.mnist, split: .test).prefix(300)
        var settings = OIPSearch.Settings()
        settings.steps = 1
        let result = try LayerSheet.make(
            model: try bundledModel(), layer: "conv3", maps: [56], reference: test, settings: settings,
            sheet: ContactSheet(), retries: 0)
        let entry = result.manifest.maps[0]
        #expect(entry.activation < entry.testMax && entry.verdict == .failed && !entry.succeeded)
        #expect(result.manifest.failed == 1 && result.manifest.succeeded == 0)
    }

    @Test(arguments: [("conv2", [1, 5, 10, 12]), ("dense2", [3, 7])])
    func defaultPatternsAreSmootherThanRawOnes(layer: String, maps: [Int]) throws {
        let search = try OIPSearch(model: try bundledModel(), layerName: layer)
        var settings = OIPSearch.Settings()
        settings.steps = 80
        let regularized = try search.search(maps: maps, settings: settings)
        settings.style = .raw
        let raw = try search.search(maps: maps, settings: settings)
        // Stripes a few pixels wide are rough by this measure too, so each map need only be
        // clearly smoother; on average the roughness halves (white noise: about 2).
        var totals: (Float, Float) = (0, 0)
        for (r, p) in zip(regularized, raw) {
            let smooth = Self.roughness(r.image), rough = Self.roughness(p.image)
            print("roughness \(layer) map \(r.map): regularized \(smooth), raw \(rough)")
            #expect(smooth < 0.8 * rough, "\(layer) map \(r.map): roughness \(smooth) against raw \(rough)")
            #expect(r.image.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
            totals = (totals.0 + smooth, totals.1 + rough)
        }
        #expect(totals.0 < 0.5 * totals.1, "\(totals)")
    }

    /// Plain warps and the wrapping ones of `--seamless`.
    @Test(arguments: [false, true]) func warpAdjointMatchesItsTransform(wraps: Bool) {
        var generator = SeededGenerator(seed: wraps ? 9 : 7)
        let x = (0..<784).map { _ in Float.random(in: -1...1, using: &generator) }
        let g = (0..<784).map { _ in Float.random(in: -1...1, using: &generator) }
        for _ in 0..<5 {
            let t = PatternTransform.random(
                side: 28, jitter: 2, scaleRange: 0.1, degrees: 10, wraps: wraps, using: &generator)
            var tx = [Float](repeating: 0, count: 784), tg = [Float](repeating: 0, count: 784)
            x.withUnsafeBufferPointer { src in
                tx.withUnsafeMutableBufferPointer { t.apply(src.baseAddress!, into: $0.baseAddress!) }
            }
            g.withUnsafeBufferPointer { src in
                tg.withUnsafeMutableBufferPointer { t.adjoint(src.baseAddress!, into: $0.baseAddress!) }
            }
            // <T x, g> = <x, Tᵀ g>
            let left = zip(tx, g).reduce(0.0) { $0 + Double($1.0 * $1.1) }
            let right = zip(x, tg).reduce(0.0) { $0 + Double($1.0 * $1.1) }
            #expect(abs(left - right) < 1e-4 * max(1, abs(left)), "\(left) vs \(right)")
        }
        // No warp is the identity; a whole-pixel shift moves pixels exactly.
        let identity = PatternTransform(side: 28, shiftX: 0, shiftY: 0, scale: 1, degrees: 0)
        let shift = PatternTransform(side: 28, shiftX: 2, shiftY: -1, scale: 1, degrees: 0)
        var out = [Float](repeating: 0, count: 784), moved = [Float](repeating: 0, count: 784)
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { identity.apply(src.baseAddress!, into: $0.baseAddress!) }
            moved.withUnsafeMutableBufferPointer { shift.apply(src.baseAddress!, into: $0.baseAddress!) }
        }
        #expect(zip(out, x).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(abs(moved[10 * 28 + 12] - x[11 * 28 + 10]) < 1e-6 && moved[0] == 0 && moved[27 * 28 + 1] == 0)
    }

    @Test func pyramidBandsAddUpAndNormaliseToUnitRMS() {
        var generator = SeededGenerator(seed: 3)
        let g = (0..<784).map { _ in Float.random(in: -1...1, using: &generator) }
        let pyramid = GradientPyramid(side: 28)
        #expect(pyramid.sides == [28, 14, 7, 4])
        let bands = pyramid.bands(g)
        #expect(bands.map(\.count) == [784, 196, 49, 16])
        #expect(zip(pyramid.merge(bands), g).allSatisfy { abs($0 - $1) < 1e-5 })
        // A constant has no detail: everything sits in the coarsest band.
        let flat = pyramid.bands([Float](repeating: 0.5, count: 784))
        #expect(flat[0].allSatisfy { abs($0) < 1e-5 } && flat[3].allSatisfy { abs($0 - 0.5) < 1e-5 })
        // Normalising ignores the gradient's scale and lifts the coarse bands: a faint smooth
        // ramp under pixel noise comes out as strong as the noise.
        let ramp = (0..<784).map { Float($0 % 28) / 27 - 0.5 }
        let mixed = zip(g, ramp).map { $0 + 0.01 * $1 }
        let normalized = mixed.withUnsafeBufferPointer { pyramid.normalize($0.baseAddress!) }
        let doubled = mixed.map { 2 * $0 }.withUnsafeBufferPointer { pyramid.normalize($0.baseAddress!) }
        #expect(zip(normalized, doubled).allSatisfy { abs($0 - $1) < 1e-4 })
        func coarseShare(_ x: [Float]) -> Float {
            let b = pyramid.bands(x)
            func rms(_ v: [Float]) -> Float { (v.reduce(0) { $0 + $1 * $1 } / Float(v.count)).squareRoot() }
            return rms(b[3]) / rms(b[0])
        }
        #expect(
            coarseShare(mixed) < 0.1 && coarseShare(normalized) > 0.5,
            "\(coarseShare(mixed)) -> \(coarseShare(normalized))")
    }

    /// The class patterns read as their digits to a network that never saw them made: a
    /// second model, trained here from another seed, classifies them.
    @Test(.tags(.slow)) func classPatternsAreRecognisedByASecondModel() throws {
        // Half an epoch (30,000 images) reaches about 98%: enough to read digits, and half
        // the time of a full epoch in a debug build.
        let train = try MNISTDataset(directory: Self.mnist, split: .train).prefix(30000)
        let test = try MNISTDataset(directory: Self.mnist, split: .test)
        let second = Sequential.mnistCNN()
        second.initialize(seed: 2)
        var training = Trainer.Settings()
        training.seed = 2
        // 234 batches: the full run's 200-batch warm-up would leave most of them slow.
        training.warmupBatches = 50
        let trainer = try Trainer(model: second, settings: training)
        let started = Date()
        _ = trainer.trainEpoch(0, on: train, progress: { _ in }, shouldStop: { false })
        let accuracy = try Evaluation(model: second, data: test).accuracy
        print("second model: 30,000 images, seed 2, test accuracy \(accuracy) (\(Date().timeIntervalSince(started)) s)")
        #expect(accuracy > 0.97)

        let search = try OIPSearch(model: try bundledModel(), layerName: "dense2")
        let patterns = try search.search(maps: Array(0..<10), settings: OIPSearch.Settings())
        let probabilities = try second.predict(patterns.flatMap(\.image.pixels), batch: 10)
        let predicted = (0..<10).map { n in (0..<10).max { probabilities[n * 10 + $0] < probabilities[n * 10 + $1] }! }
        let recognised = (0..<10).filter { predicted[$0] == $0 }.count
        print("class patterns recognised by the second model: \(recognised)/10, predictions \(predicted)")
        #expect(recognised >= 8, "predicted \(predicted)")
    }
}
