import FileSupport
import Foundation
import TestSupport
import Testing

@Suite struct FilesTests {
    @Test func writesWholeFilesAndLeavesNoTemporaries() throws {
        let folder = try temporaryFolder()
        try Files.write([1, 2, 3], to: folder + "/a.bin")
        try Files.write([4, 5], to: folder + "/a.bin")  // replaces, never appends
        #expect(try Files.read(folder + "/a.bin") == [4, 5])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["a.bin"])
    }

    @Test func failuresSayWhyAndLeaveNothing() throws {
        let folder = try temporaryFolder()
        #expect(
            throws: FileError.writeFailed(
                path: folder + "/missing/a.bin", reason: "folder \(folder)/missing does not exist")
        ) {
            try Files.write([1], to: folder + "/missing/a.bin")
        }
        // A folder where the file should go: the rename fails, the temporary is removed.
        try FileManager.default.createDirectory(atPath: folder + "/taken", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: folder + "/taken/inside", withIntermediateDirectories: false)
        #expect(throws: FileError.self) { try Files.write([1], to: folder + "/taken") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["taken"])
    }

    @Test func readsSayWhyTheyFailed() throws {
        let folder = try temporaryFolder()
        #expect(throws: FileError.unreadable(path: folder + "/none", reason: "no such file")) {
            try Files.read(folder + "/none")
        }
        #expect(throws: FileError.unreadable(path: folder, reason: "it is a directory")) { try Files.read(folder) }
        let message = FileError.unreadable(path: "/x/y.json", reason: "no such file").errorDescription
        #expect(message == "/x/y.json: cannot read the file (no such file)")
    }

    @Test func createFolderNamesWhatIsInTheWay() throws {
        let folder = try temporaryFolder()
        try Files.createFolder(folder + "/a/b/c")
        try Files.createFolder(folder + "/a/b/c")  // already there: fine
        #expect(Files.isFolder(folder + "/a/b/c"))
        try Files.createFolder(containing: folder + "/x/y/out.png")
        #expect(Files.isFolder(folder + "/x/y") && !Files.isFolder(folder + "/x/y/out.png"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/a/file"))
        #expect(
            throws: FileError.cannotCreateFolder(
                path: folder + "/a/file/d/e", reason: "\(folder)/a/file is a file, not a folder")
        ) { try Files.createFolder(folder + "/a/file/d/e") }
    }

    @Test func inputsAreRecognisedUnderOtherSpellings() throws {
        let folder = try temporaryFolder()
        try Files.write([1], to: folder + "/in.png")
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/link.png", withDestinationPath: folder + "/in.png")
        for spelling in [folder + "/./in.png", folder + "/sub/../in.png", folder + "/link.png"] {
            #expect(throws: FileError.wouldOverwriteInput(path: spelling)) {
                try Files.refuseOverwriting([folder + "/in.png"], with: spelling)
            }
        }
        try Files.refuseOverwriting([folder + "/in.png"], with: folder + "/out.png")
    }

    @Test func onlyDeadWritersTemporariesAreRemoved() throws {
        let folder = try temporaryFolder()
        let exited = Process()
        exited.executableURL = URL(fileURLWithPath: "/bin/true")
        try exited.run()
        exited.waitUntilExit()
        let dead = Files.temporaryPath(for: folder + "/a.png", process: exited.processIdentifier)
        let live = Files.temporaryPath(for: folder + "/b.png", process: getpid())
        for path in [dead, live, folder + "/.hidden", folder + "/c.png"] { try Files.write([1], to: path) }
        let removed = Files.removeStaleTemporaries(in: folder)
        #expect(removed == [(dead as NSString).lastPathComponent])
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        #expect(left == [(live as NSString).lastPathComponent, ".hidden", "c.png"])
    }

    @Test func temporariesNameTheirWriter() throws {
        let name = (Files.temporaryPath(for: "/x/a-b.png", process: getpid()) as NSString).lastPathComponent
        #expect(name.hasPrefix(".a-b.png.partial-\(Files.host)-\(getpid())-"))
        let writer = try #require(Files.writer(ofTemporary: name))
        #expect(writer.host == Files.host && writer.pid == getpid())
        #expect(Files.writer(ofTemporary: ".x.png.partial-my-box-42-7")! == ("my-box", 42))
        #expect(Files.writer(ofTemporary: ".x.png.partial-42-7")! == ("", 42), "older versions: no host")
        for other in ["x.png", ".x.png", ".x.partial-a-b", ".x.partial--7", "x.partial-h-1-2"] {
            #expect(Files.writer(ofTemporary: other) == nil, "\(other)")
        }
    }

    @Test func cleanupSparesOtherMachinesAndOlderLiveWriters() throws {
        let folder = try temporaryFolder()
        let exited = Process()
        exited.executableURL = URL(fileURLWithPath: "/bin/true")
        try exited.run()
        exited.waitUntilExit()
        let dead = exited.processIdentifier
        let names = [
            "live": ".a.png.partial-\(Files.host)-\(getpid())-1",
            "dead": ".b.png.partial-\(Files.host)-\(dead)-2",
            "old": ".c.png.partial-\(dead)-3",
            "remote": ".d.png.partial-elsewhere-\(dead)-4",
            "photo": "e.png",
        ]
        for name in names.values { try Data([1]).write(to: URL(fileURLWithPath: folder + "/" + name)) }
        #expect(Files.removeStaleTemporaries(in: folder) == [names["dead"]!, names["old"]!].sorted())
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
                == [names["live"]!, names["remote"]!, names["photo"]!].sorted())
    }

    @Test func temporaryFoldersGoAway() throws {
        var folder: TemporaryFolder? = try TemporaryFolder(prefix: "dream-files-test")
        let path = try #require(folder).path
        try Files.write([1], to: try #require(folder).file("x.bin"))
        #expect(Files.isFolder(path))
        folder = nil
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
