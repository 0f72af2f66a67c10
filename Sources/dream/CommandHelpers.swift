import ArgumentParser
import FileSupport
import Foundation

func printError(_ error: Error) {
    let message = (error as? LocalizedError)?.errorDescription ?? "\(error)"
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}

/// Refuses a flag outside its documented range (`SettingsRanges`), before any work.
func checkRange<T>(_ flag: String, _ value: T?, _ range: SettingRange<T>) throws {
    if let value, let problem = range.problem(value) { throw ValidationError("\(flag): \(problem)") }
}

func printNote(_ note: String) {
    FileHandle.standardError.write(Data("\(note)\n".utf8))
}
