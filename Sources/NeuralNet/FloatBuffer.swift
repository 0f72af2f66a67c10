/// Grow-only contiguous float storage reused between steps, so the hot loops never
/// allocate. Growing does not keep the contents.
public final class FloatBuffer: @unchecked Sendable {
    /// The storage; replaced (the old one freed) when `reserve` grows it.
    public private(set) var pointer: UnsafeMutablePointer<Float>
    public private(set) var capacity: Int

    public init(capacity: Int = 0) {
        self.capacity = max(capacity, 1)
        pointer = .allocate(capacity: self.capacity)
        pointer.initialize(repeating: 0, count: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// Makes room for `count` floats; returns the (possibly new) storage. The pointer is
    /// valid until the next `reserve` that grows the buffer, or the buffer's end: callers
    /// use it within one step and never keep it.
    @discardableResult
    public func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            pointer.deallocate()
            capacity = count
            pointer = .allocate(capacity: count)
            pointer.initialize(repeating: 0, count: count)
        }
        return pointer
    }

    /// Gives the memory back; the next `reserve` allocates again.
    public func release() {
        pointer.deallocate()
        capacity = 1
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: 0)
    }

    public func array(count: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: pointer, count: count))
    }
}
