import ArgumentParser
import FileSupport
import Foundation
import Imaging

func ensureFolder(of path: String) throws {
    let folder = (path as NSString).deletingLastPathComponent
    if !folder.isEmpty { try AtomicFile.createFolder(folder) }
}

func isDirectory(_ path: String) -> Bool {
    var flag: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
}

func printError(_ error: Error) {
    let message = (error as? LocalizedError)?.errorDescription ?? "\(error)"
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}

/// Refuses a flag outside its documented range (`SettingsRanges`), before any work.
func checkRange<T>(_ flag: String, _ value: T?, _ range: SettingRange<T>) throws {
    if let value, let problem = range.problem(value) { throw ValidationError("\(flag): \(problem)") }
}
