// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "tracking-milter",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Milter", targets: ["Milter"]),
        .library(name: "MilterTesting", targets: ["MilterTesting"]),
        .library(name: "Tracking", targets: ["Tracking"]),
        .library(name: "TrackingRuntime", targets: ["TrackingRuntime"]),
        .library(name: "EventSpool", targets: ["EventSpool"]),
        .executable(name: "tracking-milter", targets: ["tracking-milter"]),
        .executable(name: "footer-milter", targets: ["FooterMilter"]),
        .executable(name: "passthrough-milter", targets: ["PassthroughMilter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CMilter",
            pkgConfig: "milter",
            providers: [.apt(["libmilter-dev"])]
        ),
        .systemLibrary(
            name: "CLibcrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        .target(name: "Posix", swiftSettings: strict),
        .target(
            name: "EventSpool",
            dependencies: [
                "Posix",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Milter",
            dependencies: ["CMilter", "Posix", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(name: "MilterTesting", dependencies: ["Milter", "CMilter"], swiftSettings: strict),
        .target(
            name: "Tracking",
            dependencies: ["CLibcrypto", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(name: "PolicyScript", dependencies: ["CLua", "Tracking"], swiftSettings: strict),
        .target(
            name: "TrackingRuntime",
            dependencies: [
                "Tracking", "Posix", "PolicyScript", "EventSpool",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "EventShipping",
            dependencies: [
                "TrackingRuntime", "Posix", "Tracking", "MetricsEndpoint", "EventSpool",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "EventReport",
            dependencies: [
                "EventShipping", "EventSpool", "TrackingRuntime", "Tracking",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "MetricsEndpoint",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TrackingMilter",
            dependencies: [
                "Milter", "Tracking", "TrackingRuntime", "MetricsEndpoint", "EventSpool",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Tracker",
            dependencies: [
                "Tracking", "TrackingRuntime", "Posix", "MetricsEndpoint", "EventSpool", "EventShipping",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "tracking-milter",
            dependencies: [
                "TrackingMilter", "TrackingRuntime", "Milter", "Tracker", "EventShipping", "EventReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "FooterMilter",
            dependencies: ["Milter", .product(name: "Logging", package: "swift-log")],
            path: "Examples/FooterMilter",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "PassthroughMilter",
            dependencies: ["Milter", .product(name: "Logging", package: "swift-log")],
            path: "Examples/PassthroughMilter",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "tracker-bench-tokens",
            dependencies: ["Tracking", "TrackingRuntime", "Tracker", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Benchmarks/TrackerTokens",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "policy-script-bench",
            dependencies: ["PolicyScript", "Tracking"],
            path: "Benchmarks/PolicyScriptBench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "postgres-sink-bench",
            dependencies: ["EventShipping", "TrackingRuntime", "Tracking", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/PostgresSink",
            swiftSettings: strict
        ),
        .testTarget(
            name: "EventShippingTests",
            dependencies: [
                "EventShipping", "EventSpool", "TrackingRuntime", "Tracking",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "MilterTests", dependencies: ["Milter", "MilterTesting"], swiftSettings: strict),
        .testTarget(name: "TrackingTests", dependencies: ["Tracking"], swiftSettings: strict),
        .testTarget(
            name: "EventSpoolTests",
            dependencies: ["EventSpool", "Posix", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(name: "PolicyScriptTests", dependencies: ["PolicyScript", "Tracking"], swiftSettings: strict),
        .testTarget(
            name: "TrackingRuntimeTests",
            dependencies: ["TrackingRuntime", "Tracking", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TrackingMilterTests",
            dependencies: ["TrackingMilter", "TrackingRuntime", "Milter", "MilterTesting", "Tracking", "EventSpool"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TrackerTests",
            dependencies: [
                "Tracker", "Tracking", "TrackingRuntime", "EventSpool",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PostgresTestSupport",
            dependencies: [
                "EventShipping", "TrackingRuntime", "Tracking",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/PostgresTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "PostgresSinkTests",
            dependencies: [
                "EventShipping", "TrackingRuntime", "PostgresTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EventReportTests",
            dependencies: [
                "EventReport", "EventShipping", "TrackingRuntime", "PostgresTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
