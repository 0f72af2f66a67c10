/// The tile corners along one axis, `origin + k * step` for k in 0..<count: a
/// collection without storage, so a grid that moves every step allocates nothing.
public struct TileStarts: RandomAccessCollection, Sendable, Equatable {
    public let origin: Int
    public let step: Int
    public let count: Int

    public init(origin: Int, step: Int, count: Int) {
        self.origin = origin
        self.step = step
        self.count = count
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(position: Int) -> Int {
        precondition(indices.contains(position), "tile index out of range")
        return origin + position * step
    }
}
