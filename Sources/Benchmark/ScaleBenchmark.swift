import Foundation
import Imaging

/// Renders of each preset at phone-photo sizes, as users run them: one `dream` process per
/// render of a sample upscaled to 1, 12, 24 and 48 MP (made in a temporary folder, never
/// kept), each measured from outside (wall time, CPU time and peak RSS of the child).
public struct ScaleBenchmark {
    /// One render, measured.
    public struct Run: Codable, Sendable {
        public var preset: String
        public var megapixels: Double
        public var width: Int
        public var height: Int
        public var wallSeconds: Double
        /// User plus system time of the process, all threads.
        public var cpuSeconds: Double
        public var peakRSSBytes: Int
        /// The bound for this size: 48 bytes a pixel plus 300 MiB.
        public var boundBytes: Int
    }

    /// What a run of the benchmark says about the machine it ran on.
    public struct Report: Codable, Sendable {
        public var date: String
        public var cores: Int
        public var workers: Int
        public var photo: String
        /// The 1-minute load average before the first and after the last render.
        public var loadBefore: Double
        public var loadAfter: Double
        public var runs: [Run]
    }

    public var executable: String
    public var megapixels: [Double]
    public var presets: [String]
    /// `--threads` for every render; nil lets each process choose.
    public var workers: Int?
    public var progress: (String) -> Void

    public init(
        executable: String, megapixels: [Double] = [1, 12, 24, 48],
        presets: [String] = ["ghost", "tiles", "conv", "mixed"],
        workers: Int? = nil, progress: @escaping (String) -> Void = { _ in }
    ) {
        self.executable = executable
        self.megapixels = megapixels
        self.presets = presets
        self.workers = workers
        self.progress = progress
    }

    /// The photo's aspect at `megapixels` million pixels.
    public static func size(width: Int, height: Int, megapixels: Double) -> (width: Int, height: Int) {
        let aspect = Double(width) / Double(height)
        let newHeight = (megapixels * 1e6 / aspect).squareRoot().rounded()
        return (Int((newHeight * aspect).rounded()), Int(newHeight))
    }

    /// Every preset at every size, smallest size first; the photos live in `folder`.
    public func run(photo: String, folder: String, workersUsed: Int) throws -> Report {
        let source = try Image(contentsOf: photo)
        var runs: [Run] = []
        let loadBefore = Self.loadAverage()
        for megapixels in self.megapixels {
            let size = Self.size(width: source.width, height: source.height, megapixels: megapixels)
            progress("making a \(size.width)x\(size.height) photo")
            let big = folder + "/photo-\(Self.label(megapixels))mp.jpg"
            // A phone photo is a JPEG; made once per size and shared by the presets.
            try ImageWriter(jpegQuality: 92).write(source.resized(width: size.width, height: size.height), to: big)
            // The floor: the same process reading the photo and writing it as a PNG, no dream.
            do {
                progress("reading and writing it only")
                var arguments = ["bench", "--copy-photo", big, "--copy-to", folder + "/copy.png"]
                if let workers { arguments += ["--threads", String(workers)] }
                let usage = try ChildUsage.measure(executable: executable, arguments: arguments)
                let pixels = size.width * size.height
                runs.append(
                    Run(
                        preset: Self.floorName, megapixels: megapixels, width: size.width, height: size.height,
                        wallSeconds: usage.wallSeconds, cpuSeconds: usage.cpuSeconds,
                        peakRSSBytes: usage.peakRSSBytes, boundBytes: 48 * pixels + 300 << 20))
                try? FileManager.default.removeItem(atPath: folder + "/copy.png")
            }
            for preset in presets {
                progress("\(preset) at \(Self.label(megapixels)) MP")
                var arguments = ["--preset", preset, big, "-o", folder + "/\(preset).png", "-q"]
                if let workers { arguments += ["--threads", String(workers)] }
                let usage = try ChildUsage.measure(executable: executable, arguments: arguments)
                let pixels = size.width * size.height
                runs.append(
                    Run(
                        preset: preset, megapixels: megapixels, width: size.width, height: size.height,
                        wallSeconds: usage.wallSeconds, cpuSeconds: usage.cpuSeconds,
                        peakRSSBytes: usage.peakRSSBytes, boundBytes: 48 * pixels + 300 << 20))
                try? FileManager.default.removeItem(atPath: folder + "/\(preset).png")
            }
            try? FileManager.default.removeItem(atPath: big)
        }
        let formatter = ISO8601DateFormatter()
        return Report(
            date: formatter.string(from: Date()), cores: ProcessInfo.processInfo.activeProcessorCount,
            workers: workersUsed, photo: URL(fileURLWithPath: photo).lastPathComponent, loadBefore: loadBefore,
            loadAfter: Self.loadAverage(), runs: runs)
    }

    /// The row of runs that only read the photo and write it as a PNG.
    public static let floorName = "read + write only"

    /// "1", "12", "0.25".
    static func label(_ megapixels: Double) -> String {
        megapixels == megapixels.rounded() ? String(Int(megapixels)) : String(megapixels)
    }

    static func loadAverage() -> Double {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) > 0 ? loads[0] : 0
    }

    /// The report as a Markdown table: a row per preset, a column per size (wall time, CPU
    /// time, peak RSS), and the largest size's wall and CPU time over the smallest's.
    public static func markdown(_ report: Report) -> String {
        let sizes = report.runs.map(\.megapixels).reduce(into: [Double]()) { if !$0.contains($1) { $0.append($1) } }
        // The presets in the order run, the floor (read and write only) last.
        let ran = report.runs.map(\.preset).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let presets = ran.filter { $0 != floorName } + ran.filter { $0 == floorName }
        let sizeNames = sizes.map { "\(label($0)) MP" }
        var header = ["preset"] + sizeNames
        let ratioName = sizes.count > 1 && sizes.contains(1) && sizes.contains(24) ? "24 MP / 1 MP" : nil
        if let ratioName { header.append(ratioName + " (wall, CPU)") }
        var lines = [
            "| " + header.joined(separator: " | ") + " |", "|" + String(repeating: " --- |", count: header.count),
        ]
        for preset in presets {
            var cells = [preset]
            for size in sizes {
                guard let run = report.runs.first(where: { $0.preset == preset && $0.megapixels == size }) else {
                    cells.append("")
                    continue
                }
                cells.append(
                    "\(seconds(run.wallSeconds)) (CPU \(seconds(run.cpuSeconds))), \(mebibytes(run.peakRSSBytes))")
            }
            if ratioName != nil,
                let one = report.runs.first(where: { $0.preset == preset && $0.megapixels == 1 }),
                let big = report.runs.first(where: { $0.preset == preset && $0.megapixels == 24 })
            {
                cells.append(
                    String(format: "%.2fx, %.2fx", big.wallSeconds / one.wallSeconds, big.cpuSeconds / one.cpuSeconds))
            }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        var bound = ["bound: 48 bytes/pixel + 300 MiB"]
        for size in sizes {
            bound.append(report.runs.first { $0.megapixels == size }.map { mebibytes($0.boundBytes) } ?? "")
        }
        if ratioName != nil { bound.append("") }
        lines.append("| " + bound.joined(separator: " | ") + " |")
        return lines.joined(separator: "\n")
    }

    static func seconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.2f s", value) : String(format: "%.1f s", value)
    }

    static func mebibytes(_ bytes: Int) -> String {
        let value = Double(bytes) / 1_048_576
        return value < 1024 ? String(format: "%.0f MiB", value) : String(format: "%.2f GiB", value / 1024)
    }
}
