import Foundation
import TestSupport
import Testing

@testable import Dreaming

/// A render too large for the memory the process may use is refused before any work
/// (the binary under a real cgroup limit: CLITests' ResourceTests).
@Suite struct RenderMemoryTests {
    /// The same refusal in the library, before any work.
    @Test func rendererRefusesBeforeWorking() throws {
        let renderer = DreamRenderer(model: try bundledModel())
        renderer.memoryLimit = (300 << 20, "test limit")
        var settings = DreamSettings()
        settings.mode = .tiles
        #expect(throws: DreamError.self) {
            try renderer.validate(settings, width: 4000, height: 3000)
        }
        #expect(RenderMemory.estimate(settings, width: 4000, height: 3000) > 300 << 20)
        try renderer.validate(settings, width: 100, height: 80)
    }

}
