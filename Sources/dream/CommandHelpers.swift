import Foundation

func printError(_ error: Error) {
    let message = (error as? LocalizedError)?.errorDescription ?? "\(error)"
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}
