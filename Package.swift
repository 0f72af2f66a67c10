// swift-tools-version:6.0
import Foundation
import PackageDescription

// Release builds of the numeric kernel modules (NeuralNet, Resampling) are tuned for the
// CPU that builds them (AVX2/FMA or AVX-512 where present: +20% on the network's
// element-wise loops) and drop overflow traps so those loops vectorise. Every other
// module keeps Swift's checks (plain -O). DREAM_PORTABLE=1 builds for any x86-64 instead.
let portable = ProcessInfo.processInfo.environment["DREAM_PORTABLE"] == "1"
// Fuzz/run.sh sets DREAM_FUZZ=1: the libFuzzer harnesses appear as targets (at the end),
// and the numeric modules keep their checks so that the fuzzer sees every trap.
let fuzzing = ProcessInfo.processInfo.environment["DREAM_FUZZ"] == "1"
let numericFlags: [SwiftSetting] =
    fuzzing
    ? []
    : [
        .unsafeFlags(
            portable ? ["-Ounchecked"] : ["-Ounchecked", "-target-cpu", "native"], .when(configuration: .release))
    ]

// Layout: C libraries live only in tiny system-library targets (C*), wrapped by one
// Swift module each; the `dream` executable only parses arguments and prints.
let package = Package(
    name: "dream",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dream", targets: ["dream"]),
        .library(name: "Dreaming", targets: ["Dreaming"]),
        .library(name: "Pictures", targets: ["Pictures"]),
        .library(name: "Batch", targets: ["Batch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebpmux", providers: [.apt(["libwebp-dev"])]),
        // giflib ships no pkg-config file: the module map links "gif".
        .systemLibrary(name: "CGif", providers: [.apt(["libgif-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // libpng and libjpeg report errors by longjmp; these C functions own the setjmp
        // so that no longjmp ever crosses a Swift frame.
        .target(name: "CCodecShims", dependencies: ["CPNG", "CJPEG", "CZlib"]),

        // The module graph runs one way, each module depending only on those above it:
        //   FileSupport                      atomic writes, folders, reading files
        //   Imaging      <- FileSupport      Image, PNG/JPEG, colormaps, bitmap font
        //   Resampling   <- Imaging          resampling, octave pyramid, tile grid
        //   Animation    <- Imaging, FileSupport animated WebP, GIF, MP4 (ffmpeg) from frames
        //   NeuralNet    <- FileSupport      layers, training, model and IDX files
        //   Dreaming     <- Imaging, Resampling, NeuralNet
        //                                    settings, presets, objective, ascent, renderer
        //   Pictures     <- Dreaming         OIP search, sheets, grids, heatmap, .npy
        //   Batch        <- Dreaming, FileSupport
        //                                    batch plan, renderer, manifest, gallery
        //   Benchmark    <- Dreaming, Pictures
        //                                    in-process speed figures; times a binary it is given
        //   dream        <- everything       the CLI: parses arguments and prints
        .target(name: "FileSupport"),
        .target(name: "Imaging", dependencies: ["CCodecShims", "FileSupport"]),
        .target(name: "Resampling", dependencies: ["Imaging"], swiftSettings: numericFlags),
        .target(name: "Animation", dependencies: ["CWebP", "CGif", "FileSupport", "Imaging"]),
        .target(name: "NeuralNet", dependencies: ["COpenBLAS", "CZlib", "FileSupport"], swiftSettings: numericFlags),
        // Not a numeric kernel: plain -O keeps every bounds and overflow check in release
        // builds (measured: tiles, conv and ghost renders within noise of -Ounchecked).
        .target(name: "Dreaming", dependencies: ["FileSupport", "Imaging", "Resampling", "NeuralNet"]),
        .target(name: "Pictures", dependencies: ["Dreaming", "FileSupport", "Imaging", "Resampling", "NeuralNet"]),
        .target(name: "Batch", dependencies: ["Dreaming", "FileSupport", "Imaging", "Resampling", "NeuralNet"]),
        .target(
            name: "Benchmark",
            dependencies: ["Dreaming", "Pictures", "FileSupport", "Imaging", "Resampling", "NeuralNet"]
        ),
        .executableTarget(
            name: "dream",
            dependencies: [
                "Dreaming", "Pictures", "Batch", "Benchmark", "Animation", "FileSupport", "Imaging", "Resampling",
                "NeuralNet",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Helpers shared by the test targets (temporary folders, the bundled model, photos).
        .target(
            name: "TestSupport", dependencies: ["Dreaming", "FileSupport", "Imaging", "NeuralNet"],
            path: "Tests/TestSupport"),
        .testTarget(name: "FileSupportTests", dependencies: ["FileSupport", "TestSupport"]),
        .testTarget(
            name: "ImagingTests", dependencies: ["Imaging", "FileSupport", "NeuralNet", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ResamplingTests", dependencies: ["Resampling", "NeuralNet", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "AnimationTests", dependencies: ["Animation", "Dreaming", "Resampling", "TestSupport"]),
        .testTarget(
            name: "NeuralNetTests", dependencies: ["NeuralNet", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DreamingTests", dependencies: ["Dreaming", "FileSupport", "TestSupport"]),
        .testTarget(name: "PicturesTests", dependencies: ["Pictures", "TestSupport"]),
        .testTarget(name: "BatchTests", dependencies: ["Batch", "FileSupport", "TestSupport"]),
        .testTarget(name: "BenchmarkTests", dependencies: ["Benchmark", "TestSupport"]),
        // Runs the built `dream` binary: build it first (swift build); missing, the tests fail.
        .testTarget(name: "CLITests", dependencies: ["Animation", "Benchmark", "Imaging", "TestSupport"]),
    ],
    // Swift 5 mode: the numeric kernels share raw buffers across Dispatch workers by design.
    swiftLanguageModes: [.v5]
)

// One libFuzzer harness per kind of foreign input, each a folder under Fuzz/ (see Fuzz/run.sh).
if fuzzing {
    let harnesses: [(name: String, dependencies: [Target.Dependency])] = [
        ("image", ["Imaging"]), ("model", ["NeuralNet"]), ("preset", ["Dreaming"]),
        ("pngtext", ["Dreaming", "Imaging"]), ("idx", ["NeuralNet"]),
    ]
    for harness in harnesses {
        package.targets.append(
            .executableTarget(
                name: "fuzz-\(harness.name)", dependencies: harness.dependencies + ["FuzzSupport"],
                path: "Fuzz/\(harness.name)", swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/Support"))
}
