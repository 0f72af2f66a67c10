import Foundation
import Imaging
import TestSupport
import Testing

extension CommandLineTests {
    /// Weighted maps and guides from the command line: bad input gives one line naming
    /// the token; good input renders and is stored in the output's settings.
    @Test func mapWeightsAndGuidesFromFlags() throws {
        let photo = "samples/flower.jpg"
        let folder = try temporaryFolder()
        let out = folder + "/x.png"
        try expectFailure(["--maps", "3=x", photo, "-o", out], saying: "--maps: '3=x' is not a map or MAP=WEIGHT")
        try expectFailure(["--maps", "", photo, "-o", out], saying: "--maps: no maps given")
        try expectFailure(["--maps", "3,3=2", photo, "-o", out], saying: "--maps: map 3 is given twice")
        try expectFailure(["--maps", "3=1e9", photo, "-o", out], saying: "--maps 3: must be in -100...100")
        try expectFailure(["--maps", "3=1,999", "-q", photo, "-o", out], saying: "map 999 does not exist")
        try expectFailure(["--guide", folder + "/none.png", "-q", photo, "-o", out], saying: "none.png")
        try expectFailure(["--guide", "mnist:class:12", "-q", photo, "-o", out], saying: "'mnist:class:12'")
        try expectFailure(
            ["--guide", "mnist:class:7", "--guide-layer", "conv9", "-q", photo, "-o", out], saying: "conv9")
        // The problem on one line (flag errors are followed by the parser's usage lines).
        for (arguments, token) in [(["--maps", "3=x"], "'3=x'"), (["--guide", "mnist:class:12"], "mnist:class:12")] {
            let run = try dream(arguments + ["-q", photo, "-o", out])
            let first = run.error.split(separator: "\n").first ?? ""
            #expect(first.contains(token) && first.lowercased().hasPrefix("error"), "\(arguments): \(run.error)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        let run = try dream([
            "--guide", "mnist:class:7", "--maps", "56=-1,3=0.5", "--steps", "2", "--loops", "1", "-q", photo, "-o",
            out,
        ])
        #expect(run.status == 0, "\(run.error)")
        let settings = try #require(try readPNGText(at: out, key: "dream:settings"))
        #expect(settings.contains(#""guide":"mnist:class:7""#) && settings.contains(#""maps":{"3":0.5,"56":-1}"#))
    }

}
