// swift-tools-version: 6.1
// The libFuzzer targets, kept out of the main package so that the sanitizer flags never
// reach the main build or CI's test build. Build and run them with `scripts/fuzz`.
import PackageDescription

let targets = [
    "fuzz-api-header", "fuzz-mime-field", "fuzz-html", "fuzz-text-urls", "fuzz-token-open", "fuzz-message",
    "fuzz-iso2022", "fuzz-one-click",
]
/// Targets that also need the shared application module (configuration and its loaders).
let runtimeTargets = ["fuzz-config"]

let package = Package(
    name: "tracking-milter-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named explicitly: a path dependency's identity is its folder's name, which differs per checkout.
        .package(name: "tracking-milter", path: ".."),
    ],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "Tracking", package: "tracking-milter")]
        ),
    ] + targets.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzSupport", .product(name: "Tracking", package: "tracking-milter")],
            path: "Sources/\(name)"
        )
    } + runtimeTargets.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                "FuzzSupport", .product(name: "Tracking", package: "tracking-milter"),
                .product(name: "TrackingRuntime", package: "tracking-milter"),
            ],
            path: "Sources/\(name)"
        )
    },
    swiftLanguageModes: [.v6]
)
