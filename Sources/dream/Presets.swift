import ArgumentParser
import Dreaming
import Foundation

struct Presets: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the presets or show one's resolved settings.",
        subcommands: [List.self, Show.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The presets with their descriptions.")
        func run() throws {
            let library = PresetLibrary()
            var failed = false
            for result in library.all() {
                switch result {
                case .success(let preset):
                    print(
                        "\(preset.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(preset.settings.mode.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(preset.settings.description)"
                    )
                case .failure(let error):
                    failed = true
                    printError(error)
                }
            }
            if library.names().isEmpty {
                throw ValidationError(
                    "no presets found (looked in \(library.searched.joined(separator: ", "))); reinstall dream or set DREAM_HOME"
                )
            }
            FileHandle.standardError.write(Data("(from \(library.directories.joined(separator: ", ")))\n".utf8))
            if failed { throw ExitCode(1) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a preset's fully resolved settings as JSON.",
            discussion: """
                Only the JSON goes to standard output, so 'dream presets show tiles > my.json' \
                makes a preset to edit and use with 'dream --preset ./my.json'.
                """)
        @Argument(help: "Preset name or path.") var name: String
        func run() throws {
            let preset = try PresetLibrary().load(name)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            FileHandle.standardError.write(Data("(from \(preset.path))\n".utf8))
            print(String(decoding: try encoder.encode(preset.settings), as: UTF8.self))
        }
    }
}
