/// Test accuracy and the confusion matrix of a classifier over a dataset.
public struct Evaluation: Sendable, Codable {
    public let accuracy: Double
    /// confusion[true][predicted]
    public let confusion: [[Int]]
    public let count: Int

    public init(model: Sequential, data: MNISTDataset, batchSize: Int = 500) {
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        var correct = 0
        let last = model.layers.count - 1
        data.images.withUnsafeBufferPointer { images in
            var start = 0
            while start < data.count {
                let n = min(batchSize, data.count - start)
                try! model.forward(images.baseAddress! + start * MNISTDataset.pixels, batch: n)
                let probabilities = model.layers[last].output
                for i in 0..<n {
                    let predicted = argmax(probabilities + i * 10, 10)
                    let truth = Int(data.labels[start + i])
                    confusion[truth][predicted] += 1
                    if predicted == truth { correct += 1 }
                }
                start += n
            }
        }
        self.accuracy = Double(correct) / Double(max(data.count, 1))
        self.confusion = confusion
        self.count = data.count
    }
}
