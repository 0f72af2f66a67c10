// swift-tools-version:6.0
import Foundation
import PackageDescription

// Release builds of the numeric modules are tuned for the CPU that builds them (AVX2/FMA
// or AVX-512 where present: +20% on the network's element-wise loops) and drop overflow
// traps so those loops vectorise. DREAM_PORTABLE=1 builds for any x86-64 instead.
let portable = ProcessInfo.processInfo.environment["DREAM_PORTABLE"] == "1"
let numericFlags: [SwiftSetting] = [
    .unsafeFlags(portable ? ["-Ounchecked"] : ["-Ounchecked", "-target-cpu", "native"], .when(configuration: .release))
]

// Layout: C libraries live only in tiny system-library targets (C*), wrapped by one
// Swift module each; the `dream` executable only parses arguments and prints.
let package = Package(
    name: "dream",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dream", targets: ["dream"]),
        .library(name: "DreamEngine", targets: ["DreamEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // libpng and libjpeg report errors by longjmp; these C functions own the setjmp
        // so that no longjmp ever crosses a Swift frame.
        .target(name: "CCodecShims", dependencies: ["CPNG", "CJPEG"]),

        .target(name: "FileSupport"),
        .target(name: "ImageIO", dependencies: ["CCodecShims", "FileSupport"]),
        .target(name: "Resampling", dependencies: ["ImageIO"], swiftSettings: numericFlags),
        .target(name: "NeuralNet", dependencies: ["COpenBLAS", "CZlib", "FileSupport"], swiftSettings: numericFlags),
        .target(
            name: "DreamEngine", dependencies: ["ImageIO", "Resampling", "NeuralNet"], swiftSettings: numericFlags),
        .executableTarget(
            name: "dream",
            dependencies: [
                "DreamEngine", "ImageIO", "Resampling", "NeuralNet",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "FileSupportTests", dependencies: ["FileSupport"]),
        .testTarget(name: "ImageIOTests", dependencies: ["ImageIO"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ResamplingTests", dependencies: ["Resampling"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"]),
        .testTarget(name: "DreamEngineTests", dependencies: ["DreamEngine"]),
    ],
    // Swift 5 mode: the numeric kernels share raw buffers across Dispatch workers by design.
    swiftLanguageModes: [.v5]
)
