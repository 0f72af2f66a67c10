import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

@testable import Benchmark

@Suite struct BenchmarkTests {
    /// The render figures' default picture is made in memory: a bench run outside the
    /// source tree (no samples/) still has a photo, and it has structure to dream on.
    @Test func syntheticPhotoIsAReadablePictureWithStructure() throws {
        let path = try Benchmark.writeSyntheticPhoto()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let photo = try Image(contentsOf: path)
        #expect(photo.width == 640 && photo.height == 427 && photo.channels == 3)
        let mean = photo.mean
        let variance = photo.pixels.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(photo.pixels.count)
        #expect(variance > 0.01, "a flat picture gives the render figures nothing to do (variance \(variance))")
        #expect(Benchmark.syntheticPhoto() == Benchmark.syntheticPhoto(), "the same picture every run")
    }

    /// The training figure is a whole `Trainer.run` epoch: the images it reports per second
    /// are the training set's, it leaves no checkpoint behind, and the caller's model is untouched.
    @Test func trainingFigureRunsAWholeEpochAndCleansUp() throws {
        let model = try bundledModel()
        let before = model.parameterValues()
        let bench = Benchmark(model: model, secondsPerFigure: 1e-6)
        let train = Benchmark.syntheticDigits(count: 300, seed: 1)
        let test = Benchmark.syntheticDigits(count: 50, seed: 2)
        let leftovers = { try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()) }
        let figures = try bench.trainingFigures(train: train, test: test, source: "random")
        let figure = try #require(figures.first)
        #expect(figure.key == "train_epoch" && figure.unit == "images/s" && figure.value > 0)
        #expect(figure.name.contains("300 images") && figure.detail?.contains("dream train's own path") == true)
        #expect(!(try leftovers()).contains("dream-bench-train-\(getpid())"))
        #expect(model.parameterValues() == before)
    }
}
