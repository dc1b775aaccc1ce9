// swift-tools-version: 6.1
// The rewriter benchmark: a package of its own, so the root package's `swift build` (and CI)
// never builds it. Run it with Benchmarks/run-rewrite-bench.
import PackageDescription

// SwiftPM names a path dependency after its folder (lower-cased), so the root package is
// "main" in /work/main but something else in another clone: take it from the path.
let rootIdentity = Context.packageDirectory.split(separator: "/").dropLast(2).last.map { $0.lowercased() } ?? "tracking-milter"

let package = Package(
    name: "RewriteBench",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "RewriteBench",
            dependencies: [
                .product(name: "Tracking", package: rootIdentity),
                .product(name: "TrackingRuntime", package: rootIdentity),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
