import FileSupport
import Foundation
import TestSupport
import Testing

@Suite struct AtomicWriteTests {
    @Test func writesWholeFilesAndLeavesNoTemporaries() throws {
        let folder = try temporaryFolder()
        try AtomicWrite.write([1, 2, 3], to: folder + "/a.bin")
        try AtomicWrite.write([4, 5], to: folder + "/a.bin")  // replaces, never appends
        #expect(FileManager.default.contents(atPath: folder + "/a.bin") == Data([4, 5]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["a.bin"])
    }

    @Test func failuresSayWhyAndLeaveNothing() throws {
        let folder = try temporaryFolder()
        #expect(throws: AtomicWrite.Failure(reason: "folder \(folder)/missing does not exist")) {
            try AtomicWrite.write([1], to: folder + "/missing/a.bin")
        }
        // A folder where the file should go: the rename fails, the temporary is removed.
        try FileManager.default.createDirectory(atPath: folder + "/taken", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: folder + "/taken/inside", withIntermediateDirectories: false)
        #expect(throws: AtomicWrite.Failure.self) { try AtomicWrite.write([1], to: folder + "/taken") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["taken"])
    }
}
