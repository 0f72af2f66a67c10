import ArgumentParser
import Dreaming
import FileSupport
import Foundation
import Imaging

struct View: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write what the network sees of a photo: its 28x28 downscale or the tile grid.")

    enum Mode: String, ExpressibleByArgument, CaseIterable { case downscale, tiles }

    @Argument(help: "A PNG or JPEG photo.") var file: String
    @Option(help: "downscale: the whole photo at 28x28; tiles: the 28x28 tile grid over the photo.") var mode = Mode
        .downscale
    @Option(help: "Enlargement factor for the 28x28 view (nearest neighbour).") var scale = 10
    @Flag(help: "Write the network-sized image itself, not enlarged.") var raw = false
    @Flag(help: "Show 1 - luminance, the network's white-on-black view.") var invert = false
    @Option(name: .shortAndLong, help: "Output file (default out/NAME-view.png).") var output: String?
    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        try checkRange("--scale", scale, SettingsRanges.viewScale)
    }

    func run() throws {
        let input = try modelOptions.load().inputShape
        let photo = try Image(contentsOf: file)
        let view: Image
        switch mode {
        case .downscale:
            let small = NetworkView.downscale(photo, to: input, invert: invert)
            view = raw ? small : small.enlarged(by: scale)
        case .tiles:
            view = NetworkView.tiles(photo, tileSize: input.width, invert: invert)
        }
        let target =
            output
            ?? "out/\(URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)-view-\(mode.rawValue).png"
        try Files.createFolder(containing: target)
        try view.write(to: target, protecting: [file])
        print("\(file) -> \(target) (\(view.width)x\(view.height))")
    }
}
