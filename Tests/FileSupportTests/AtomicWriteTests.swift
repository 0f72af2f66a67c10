import Foundation
import TestSupport
import Testing

@testable import FileSupport

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

    /// The pid of a process that has exited.
    func deadPID() throws -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test func temporariesNameTheirWriter() throws {
        let name = AtomicWrite.temporaryName(for: "a-b.png")
        #expect(name.hasPrefix(".a-b.png.partial-\(AtomicWrite.host)-\(getpid())-"))
        let writer = try #require(AtomicWrite.writer(ofTemporary: name))
        #expect(writer.host == AtomicWrite.host && writer.pid == getpid())
        #expect(AtomicWrite.writer(ofTemporary: ".x.png.partial-my-box-42-7")! == ("my-box", 42))
        #expect(AtomicWrite.writer(ofTemporary: ".x.png.partial-42-7")! == ("", 42), "older versions: no host")
        for other in ["x.png", ".x.png", ".x.partial-a-b", ".x.partial--7", "x.partial-h-1-2"] {
            #expect(AtomicWrite.writer(ofTemporary: other) == nil, "\(other)")
        }
    }

    @Test func cleanupRemovesOnlyTemporariesOfDeadProcessesOnThisMachine() throws {
        let folder = try temporaryFolder()
        let dead = try deadPID()
        let names = [
            "live": ".a.png.partial-\(AtomicWrite.host)-\(getpid())-1",
            "dead": ".b.png.partial-\(AtomicWrite.host)-\(dead)-2",
            "old": ".c.png.partial-\(dead)-3",
            "remote": ".d.png.partial-elsewhere-\(dead)-4",
            "photo": "e.png",
        ]
        for name in names.values { try Data([1]).write(to: URL(fileURLWithPath: folder + "/" + name)) }
        #expect(AtomicWrite.removeAbandonedTemporaries(in: folder) == [names["dead"]!, names["old"]!].sorted())
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
                == [names["live"]!, names["remote"]!, names["photo"]!].sorted())
    }
}
