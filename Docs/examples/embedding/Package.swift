// swift-tools-version:6.0
// A program that embeds zcplatform and adds a collector and a notifier of its own, without touching
// the zcplatform repository: see README.md.
import PackageDescription

let package = Package(
    name: "embedding-example",
    dependencies: [.package(name: "zcplatform", path: "../../..")],
    targets: [
        .executableTarget(
            name: "EmbeddedPlatform",
            dependencies: [
                .product(name: "ZCPlatform", package: "zcplatform"), .product(name: "ZCCore", package: "zcplatform"),
            ],
            path: "Sources/EmbeddedPlatform")
    ]
)
