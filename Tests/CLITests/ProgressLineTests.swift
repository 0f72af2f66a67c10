import Foundation
import Imaging
import TestSupport
import Testing

/// Long renders show the octave, the step and an ETA on a terminal, and nothing at all
/// with --quiet.
@Suite struct ProgressLineTests {
    /// The real binary on a pseudo-terminal (script(1)): octave, step, bar and ETA;
    /// nothing at all with --quiet.
    @Test func terminalShowsOctaveStepAndETAQuietShowsNothing() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            throw ResourceTests().fail("/usr/bin/script (util-linux) is missing; it gives the binary a terminal")
        }
        let folder = try temporaryFolder()
        try syntheticPhoto(width: 200, height: 150).write(to: folder + "/in.png")
        let command = "\"$DREAM\" --preset tiles --octaves 2 --steps 2 \(folder)/in.png -o \(folder)/out.png"
        let shown = try ResourceTests().shell("script -qec '\(command)' /dev/null")
        #expect(shown.status == 0, "\(shown.error)")
        let lines = shown.output.split(whereSeparator: { $0 == "\r" || $0 == "\n" }).map(String.init)
        #expect(lines.contains { $0.contains("in.png: octave 1/2 (143x107), step 1/2 [") && $0.contains("% ETA ") })
        #expect(lines.contains { $0.contains("octave 2/2 (200x150), step 2/2 [####################] 100% ETA 0s") })
        let quiet = try ResourceTests().shell("script -qec '\(command) --quiet' /dev/null")
        #expect(quiet.status == 0)
        #expect(quiet.output.isEmpty, "\(quiet.output)")
    }
}
