import Foundation

#if canImport(Darwin)
    import Darwin
#endif

/// Where the files that ship with dream (model, presets, MNIST data) are found, in this
/// order:
///
/// 1. `$DREAM_HOME`: an explicit choice wins over anything found;
/// 2. beside the real executable, as the OS reports it (`/proc/self/exe`,
///    `_NSGetExecutablePath`), never `argv[0]`, which is a bare `dream` when run from PATH:
///    `PREFIX/share/dream` for an installed `PREFIX/bin/dream`, or the package root for a
///    binary still inside its build folder (`ROOT/.build/.../release/dream`);
/// 3. the working folder.
///
/// Nothing is downloaded, and every "not found" lists the places looked in.
public enum BundledAssets {
    public static let modelName = "mnist-cnn.safetensors"

    /// One place looked in, with how it was found (for messages).
    public struct Root: Sendable, Equatable {
        public var path: String
        public var origin: String
    }

    /// The places searched, in order; the same for every kind of resource.
    public static var roots: [Root] {
        roots(
            environment: ProcessInfo.processInfo.environment, executable: executablePath(),
            workingFolder: FileManager.default.currentDirectoryPath)
    }

    static func roots(environment: [String: String], executable: String?, workingFolder: String) -> [Root] {
        var roots: [Root] = []
        if let home = environment["DREAM_HOME"], !home.isEmpty {
            roots.append(Root(path: absolute(home, in: workingFolder), origin: "$DREAM_HOME"))
        }
        if let executable {
            let binFolder = URL(fileURLWithPath: executable).deletingLastPathComponent()
            // PREFIX/bin/dream -> PREFIX/share/dream
            roots.append(
                Root(
                    path: binFolder.deletingLastPathComponent().appendingPathComponent("share/dream").path,
                    origin: "installed beside \(executable)"))
            // ROOT/.build/<triple>/<config>/dream (or ROOT/.build/<config>/dream) -> ROOT
            var folder = binFolder
            for _ in 0..<4 {
                if folder.lastPathComponent.hasPrefix(".build") {
                    roots.append(
                        Root(path: folder.deletingLastPathComponent().path, origin: "source tree of \(executable)"))
                    break
                }
                folder.deleteLastPathComponent()
            }
        }
        roots.append(Root(path: workingFolder, origin: "working folder"))
        return roots
    }

    /// The running program's own file, symlinks resolved; nil where the OS will not say.
    public static func executablePath() -> String? {
        #if os(Linux)
            var buffer = [CChar](repeating: 0, count: 4096)
            let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
            guard count > 0 else { return nil }
            return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #elseif canImport(Darwin)
            var size: UInt32 = 0
            _ = _NSGetExecutablePath(nil, &size)
            var buffer = [CChar](repeating: 0, count: Int(size) + 1)
            guard _NSGetExecutablePath(&buffer, &size) == 0 else { return nil }
            return URL(fileURLWithPath: String(cString: buffer)).resolvingSymlinksInPath().path
        #else
            return nil
        #endif
    }

    /// The first `root/relative` that exists (a file or a folder as `folder` says).
    public static func locate(_ relative: String, folder: Bool = false, in roots: [Root] = roots) -> String? {
        candidates(relative, in: roots).first { exists($0, folder: folder) }
    }

    /// Every place `relative` is looked for, in order.
    public static func candidates(_ relative: String, in roots: [Root] = roots) -> [String] {
        roots.map { ($0.path as NSString).appendingPathComponent(relative) }
    }

    /// The bundled model file.
    public static func modelPath() throws(DreamError) -> String {
        let relative = "models/\(modelName)"
        guard let found = locate(relative) else { throw .modelNotFound(searched: candidates(relative)) }
        return found
    }

    /// The model `--model` names: nil is the bundled MNIST model; an existing file is
    /// itself; a bare name ("fashion") is a bundled model, `models/NAME-cnn.safetensors`
    /// or `models/NAME.safetensors` in the usual places. Anything else is returned as
    /// given, for the model reader to report.
    public static func modelPath(named name: String?) throws(DreamError) -> String {
        guard let name else { return try modelPath() }
        if FileManager.default.fileExists(atPath: name) || name.contains("/") || name.hasSuffix(".safetensors") {
            return name
        }
        let relatives = ["models/\(name)-cnn.safetensors", "models/\(name).safetensors"]
        for relative in relatives {
            if let found = locate(relative) { return found }
        }
        throw .namedModelNotFound(
            name: name, searched: relatives.flatMap { candidates($0) }, available: bundledModelNames())
    }

    /// The names `--model` resolves among the bundled models ("fashion", "mnist").
    public static func bundledModelNames(in roots: [Root] = roots) -> [String] {
        var names: Set<String> = []
        for folder in candidates("models", in: roots) {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            where file.hasSuffix(".safetensors") {
                var name = String(file.dropLast(".safetensors".count))
                if name.hasSuffix("-cnn") { name.removeLast(4) }
                names.insert(name)
            }
        }
        return names.sorted()
    }

    /// The presets folders, first wins: the working folder's `presets/` when there is one
    /// (a user's own presets override shipped ones of the same name), then the shipped
    /// ones. Empty when none exists (the library then says where it looked).
    public static func presetsDirectories() -> [String] {
        let shipped = candidates("presets").dropLast().filter { exists($0, folder: true) }
        let local = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent("presets")
        var ordered = exists(local, folder: true) ? [local] : []
        for path in shipped where !ordered.contains(path) { ordered.append(path) }
        return ordered
    }

    /// The folder of the bundled MNIST files, or a `.dataNotFound` listing where it looked.
    public static func mnistDirectory() throws(DreamError) -> String {
        guard let found = locate("data/mnist", folder: true) else {
            throw .dataNotFound(searched: candidates("data/mnist"))
        }
        return found
    }

    /// A photo of the bundled `samples/` folder.
    public static func sample(_ name: String) throws(DreamError) -> String {
        let relative = "samples/\(name)"
        guard let found = locate(relative) else { throw .sampleNotFound(searched: candidates(relative)) }
        return found
    }

    static func exists(_ path: String, folder: Bool) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            && isDirectory.boolValue == folder
    }

    static func absolute(_ path: String, in folder: String) -> String {
        path.hasPrefix("/") ? path : (folder as NSString).appendingPathComponent(path)
    }
}
