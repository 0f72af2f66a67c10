import Foundation

/// What is wrong with an IDX file or a pair of them; each message names the file.
public enum IDXError: Error, LocalizedError, Equatable {
    case unreadable(path: String, reason: String)
    case corruptGzip(path: String, detail: String)
    case badMagic(path: String, found: String)
    case wrongRank(path: String, expected: Int, found: Int)
    case badDimensions(path: String, dimensions: [Int])
    case truncated(path: String, expected: Int, actual: Int)
    case trailingBytes(path: String, expected: Int)
    case tooLarge(path: String, dimensions: [Int], limit: Int)
    case countMismatch(images: String, labels: String, imageCount: Int, labelCount: Int)
    case wrongImageSize(path: String, height: Int, width: Int)
    case labelOutOfRange(path: String, index: Int, label: Int)

    public var errorDescription: String? {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read the file (\(reason))"
        case .corruptGzip(let path, let detail): "\(path): corrupt gzip data (\(detail))"
        case .badMagic(let path, let found):
            "\(path): not an IDX file of unsigned bytes (magic \(found), expected 00000801 or 00000803)"
        case .wrongRank(let path, let expected, let found):
            "\(path): IDX file has \(found) dimensions, expected \(expected)"
        case .badDimensions(let path, let dimensions): "\(path): IDX dimensions \(dimensions) include a zero"
        case .truncated(let path, let expected, let actual):
            "\(path): IDX data is truncated (\(actual) bytes, header promises \(expected))"
        case .trailingBytes(let path, let expected):
            "\(path): IDX data goes on past the \(expected) bytes its header promises (a damaged file?)"
        case .tooLarge(let path, let dimensions, let limit):
            "\(path): IDX dimensions \(dimensions) promise more than \(limit) bytes of data; not a dataset dream can load"
        case .countMismatch(let images, let labels, let imageCount, let labelCount):
            "\(images) has \(imageCount) images but \(labels) has \(labelCount) labels"
        case .wrongImageSize(let path, let height, let width):
            "\(path): images are \(width)x\(height); the network needs 28x28"
        case .labelOutOfRange(let path, let index, let label):
            "\(path): label \(label) at index \(index) is outside 0...9"
        }
    }
}
