import ArgumentParser

@main
struct Dream: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "placeholder")
    func run() throws {}
}
