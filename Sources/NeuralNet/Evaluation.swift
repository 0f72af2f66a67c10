/// Test accuracy and the confusion matrix of a classifier over a dataset.
public struct Evaluation: Sendable, Codable {
    public let accuracy: Double
    /// confusion[true][predicted]
    public let confusion: [[Int]]
    public let count: Int

    /// Runs the dataset through one replica of `model` per core, in cache-sized chunks.
    /// The model must take the data's samples (see `MNISTDataset.adapted(to:)`) and give
    /// ten class scores.
    public init(model: Sequential, data: MNISTDataset, chunk: Int = 32) throws(NetworkError) {
        if let problem = ModelRequirement(use: "evaluation", input: data.shape, classes: 10).problem(with: model) {
            throw .unsuitableModel(problem: problem)
        }
        self.init(checkedModel: model, data: data, chunk: chunk)
    }

    /// For a model already checked (the trainer's). On the Winograd path (2.5x the
    /// images/s of im2col here; the bundled model's 10,000 test predictions come out the
    /// same). Measured per chunk, CPU time per image: 32 and 128 best, 64 and 256 10-20% worse.
    init(checkedModel model: Sequential, data: MNISTDataset, chunk: Int = 32) {
        let parallel = DataParallel(model: model, convolution: .winograd)
        let last = model.layers.count - 1
        let classes = model.outputShape(forLayer: last)
        var predicted = [Int](repeating: 0, count: data.count)
        data.images.withUnsafeBufferPointer { images in
            predicted.withUnsafeMutableBufferPointer { out in
                parallel.run(batch: data.count, minimum: 1) { _, replica, slice in
                    for start in stride(from: slice.lowerBound, to: slice.upperBound, by: chunk) {
                        let n = min(chunk, slice.upperBound - start)
                        // Cannot throw: the input has the shape the model was checked for when built.
                        try! replica.forward(images.baseAddress! + start * data.shape.count, batch: n)
                        let probabilities = replica.layers[last].output
                        for i in 0..<n { out[start + i] = argmax(probabilities + i * classes, classes) }
                    }
                }
            }
        }
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (index, guess) in predicted.enumerated() { confusion[Int(data.labels[index])][guess] += 1 }
        let correct = (0..<classes).map { confusion[$0][$0] }.reduce(0, +)
        self.accuracy = Double(correct) / Double(max(data.count, 1))
        self.confusion = confusion
        self.count = data.count
    }
}

extension Sequential {
    /// Units of layer `index`'s output for the model's own input shape.
    func outputShape(forLayer index: Int) -> Int {
        (try? outputShapes(for: inputShape))?[index].count ?? 0
    }
}
