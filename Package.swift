// swift-tools-version:6.1
//
// SparseSeg: a distributed cross-validation job runner that reproduces Table 1 of
// "semi-supervised and self-supervised collaborative learning" for prostate MR segmentation
// with central-slice annotations. The targets below are listed lowest layer first; see
// README.md for a tour.

import PackageDescription

/// Strict Swift 6 settings shared by every Swift target.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

/// The training core's hot loops (DirectConvolution, the eight-lane loops) need fused
/// multiply-add and 256-bit vectors, which Swift emits only for a CPU that has them: on x86-64
/// the core targets Haswell (AVX2 and FMA, every x86-64 server CPU since 2013-2015); `sparseseg`
/// refuses to start on an older one. Elsewhere the compiler's default.
#if arch(x86_64)
let trainingCoreSettings = strict + [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let trainingCoreSettings = strict
#endif

let package = Package(
    name: "SparseSeg",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sparseseg", targets: ["sparseseg"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // Thin C system libraries: a module map and a shim header each, nothing else.
        // libzmq.pc drags in -isystem flags that SwiftPM refuses, and zmq.h is on the default
        // include path, so CZeroMQ needs no pkg-config.
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSpawn"),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CCPU"),

        // Swift wrappers over the C libraries: the only code that touches C pointers.
        .target(name: "HDF5", dependencies: ["CHDF5"], swiftSettings: strict),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"], swiftSettings: strict),
        .target(name: "PNG", dependencies: ["CZlib"], swiftSettings: strict),
        .target(name: "SeededRandom", swiftSettings: strict),
        .target(name: "AtomicFiles", swiftSettings: strict),
        .target(name: "BitmapText", swiftSettings: strict),
        .target(name: "TensorBoardEvents", swiftSettings: strict),
        .target(name: "ChildProcesses", dependencies: ["CSpawn"], swiftSettings: strict),

        // The project's concerns, one module each.
        .target(name: "TrainingCore", dependencies: ["COpenBLAS", "CMalloc", "HDF5", "SeededRandom"], swiftSettings: trainingCoreSettings),
        .target(name: "VoxelGeometry", swiftSettings: strict),
        .target(name: "Datasets", dependencies: ["VoxelGeometry", "HDF5", "CZlib", "PNG", "SeededRandom", "BitmapText"], swiftSettings: strict),
        .target(name: "Metrics", dependencies: ["VoxelGeometry"], swiftSettings: strict),
        .target(
            name: "Methods",
            dependencies: ["TrainingCore", "Datasets", "Metrics", "Jobs", "Experiments", "SeededRandom", "HDF5", "AtomicFiles", "TensorBoardEvents"],
            swiftSettings: strict),
        .target(name: "Jobs", swiftSettings: strict),
        .target(
            name: "Experiments", dependencies: ["Jobs", .product(name: "Yams", package: "Yams")], swiftSettings: strict),
        .target(
            name: "Runner",
            dependencies: ["Jobs", "ZeroMQ", "AtomicFiles", "ChildProcesses", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .target(name: "Reports", dependencies: ["HDF5", "PNG", "AtomicFiles", "BitmapText"], swiftSettings: strict),
        .target(
            name: "Pipeline",
            dependencies: ["Jobs", "Experiments", "Datasets", "Metrics", "Methods", "Runner", "Reports", "AtomicFiles", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // The command line, shared by the shipped `sparseseg` and the tests' `sparseseg-testing`,
        // which differ only in the job executors their workers run.
        .target(
            name: "Commands",
            dependencies: [
                "CCPU", "HDF5", "ZeroMQ", "SeededRandom", "TrainingCore", "VoxelGeometry", "Datasets", "Metrics", "Methods", "Jobs", "Experiments", "Runner",
                "Reports", "Pipeline", "AtomicFiles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(name: "sparseseg", dependencies: ["Commands"], swiftSettings: strict),

        // Tests mirror the modules above. SharedTestSupport: what several test targets use, the
        // tests' own PNG decoder (the montage, the report's curves) and running the external
        // programs that serve as oracles (skipped when missing, failures under CI).
        .target(name: "SharedTestSupport", dependencies: ["Datasets", "ChildProcesses"], path: "Tests/SharedTestSupport", swiftSettings: strict),
        // The runner's test jobs (test.sleep, test.crash, ...) and `sparseseg-testing`, the
        // command line with them, which the runner's tests start; the shipped `sparseseg` has none.
        .target(name: "RunnerTestJobs", dependencies: ["Runner", "Jobs", "AtomicFiles"], path: "Tests/RunnerTestJobs", swiftSettings: strict),
        .executableTarget(name: "sparseseg-testing", dependencies: ["Commands", "RunnerTestJobs"], path: "Tests/sparseseg-testing", swiftSettings: strict),
        .testTarget(
            name: "SystemLibrariesTests", dependencies: ["CZeroMQ", "COpenBLAS", "CHDF5", "CZlib"],
            swiftSettings: strict),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5"], swiftSettings: strict),
        .testTarget(name: "ChildProcessesTests", dependencies: ["ChildProcesses"], swiftSettings: strict),
        .testTarget(name: "SeededRandomTests", dependencies: ["SeededRandom"], swiftSettings: strict),
        .testTarget(name: "PNGTests", dependencies: ["PNG", "CZlib"], swiftSettings: strict),
        .testTarget(name: "BitmapTextTests", dependencies: ["BitmapText"], swiftSettings: strict),
        .testTarget(name: "TensorBoardEventsTests", dependencies: ["TensorBoardEvents", "SharedTestSupport"], swiftSettings: strict),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"], swiftSettings: strict),
        .testTarget(name: "TrainingCoreTests", dependencies: ["TrainingCore", "HDF5", "SeededRandom"], swiftSettings: strict),
        .testTarget(name: "DatasetsTests", dependencies: ["VoxelGeometry", "Datasets", "HDF5", "SeededRandom", "BitmapText", "SharedTestSupport"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "VoxelGeometryTests", dependencies: ["VoxelGeometry"], swiftSettings: strict),
        .testTarget(name: "MetricsTests", dependencies: ["VoxelGeometry", "Metrics", "SeededRandom"], swiftSettings: strict),
        .testTarget(
            name: "MethodsTests",
            dependencies: ["Methods", "Datasets", "TrainingCore", "Jobs", "Experiments", "Reports", "SeededRandom", "HDF5", "SharedTestSupport"],
            swiftSettings: strict),
        .testTarget(name: "JobsTests", dependencies: ["Jobs"], swiftSettings: strict),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Jobs"], swiftSettings: strict),
        .testTarget(
            name: "RunnerTests", dependencies: ["Runner", "Jobs", "ZeroMQ", "ChildProcesses", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .testTarget(
            name: "PipelineTests", dependencies: ["VoxelGeometry", "Pipeline", "Runner", "Jobs", "Datasets", "Metrics", "Reports", "ChildProcesses", "CZlib", "SharedTestSupport"],
            resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "HDF5", "AtomicFiles", "SharedTestSupport"], swiftSettings: strict),
    ]
)
