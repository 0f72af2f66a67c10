import Testing

@testable import Resampling

@Suite struct FittedSizeTests {
    @Test func extremeAspectsStayInTheBox() {
        // The gallery's thumbnail box: at most 640 wide, 160 high.
        #expect(FittedSize(width: 400_000, height: 1, maxWidth: 640, maxHeight: 160) == .init(640, 1))
        #expect(FittedSize(width: 1, height: 400_000, maxWidth: 640, maxHeight: 160) == .init(1, 160))
        #expect(FittedSize(width: 1024, height: 768, maxWidth: 640, maxHeight: 160) == .init(213, 160))
        #expect(FittedSize(width: 28, height: 28, maxWidth: 640, maxHeight: 160) == .init(160, 160))
        #expect(FittedSize(width: 2_000_000_000, height: 3, maxWidth: 640, maxHeight: 160) == .init(640, 1))
    }

    @Test func everySizeFitsAndKeepsItsAspect() {
        var state: UInt64 = 7
        func next(_ range: ClosedRange<Int>) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return range.lowerBound + Int((state >> 33) % UInt64(range.count))
        }
        for _ in 0..<10_000 {
            let w = next(1...500_000), h = next(1...500_000), boxW = next(1...2000), boxH = next(1...2000)
            let size = FittedSize(width: w, height: h, maxWidth: boxW, maxHeight: boxH)
            #expect((1...boxW).contains(size.width) && (1...boxH).contains(size.height))
            // One side fills the box, and the aspect is off by at most the rounding of a
            // side (half a pixel), or the 1-pixel floor.
            #expect(size.width == boxW || size.height == boxH)
            let aspect = Double(w) / Double(h)
            let low = max(Double(size.width) - 0.5, 0.5) / (Double(size.height) + 0.5)
            let high = (Double(size.width) + 0.5) / max(Double(size.height) - 0.5, 0.5)
            #expect(
                (low...high).contains(aspect) || size.width == 1 || size.height == 1,
                "\(w)x\(h) in \(boxW)x\(boxH): \(size.width)x\(size.height)")
        }
    }
}

extension FittedSize {
    fileprivate init(_ width: Int, _ height: Int) {
        self.init(width: width, height: height, maxWidth: width, maxHeight: height)
    }
}
