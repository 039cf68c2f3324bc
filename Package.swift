// swift-tools-version:6.1
// zcplatform: the control plane for a fleet of ZeroClaw agents.
// No SwiftPM dependencies: Foundation, Glibc, Dispatch, Synchronization and system C libraries only.
// Tools 6.1: the ConsoleEmbedding build plugin uses the plugin API's URLs.
import PackageDescription

let package = Package(
    name: "zcplatform",
    products: [
        .executable(name: "zcplatform", targets: ["zcplatform"]),
        .executable(name: "zcbench", targets: ["zcbench"]),
        .executable(name: "zcagent-sim", targets: ["zcagent-sim"]),
        .library(name: "ZCPlatform", targets: ["ZCPlatform"]),
        .library(name: "ZCCore", targets: ["ZCCore"]),
        .library(name: "ZCTOML", targets: ["ZCTOML"]),
    ],
    targets: [
        // System libraries (module maps + tiny shims).
        .systemLibrary(name: "CSQLite", path: "Modules/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Modules/CLibPQ", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Modules/CCrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", path: "Modules/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CEpoll", path: "Modules/CEpoll"),
        .systemLibrary(name: "CProcess", path: "Modules/CProcess"),
        .systemLibrary(name: "CSSL", path: "Modules/CSSL", providers: [.apt(["libssl-dev"])]),

        // The core: domain types, the four protocols, errors. Knows no driver.
        .target(name: "ZCCore", path: "Sources/ZCCore"),
        // TOML 1.0 decoder and encoder.
        .target(name: "ZCTOML", path: "Sources/ZCTOML"),
        // Cryptography through libcrypto: random bytes, digests, tokens (and the vault's AES-GCM).
        .target(name: "ZCCrypto", dependencies: ["ZCCore", "CCrypto"], path: "Sources/ZCCrypto"),
        // HTTP/1.1: codec, epoll server, router and middleware, client (TCP and unix sockets), metrics.
        .target(name: "ZCHTTP", dependencies: ["ZCCore", "CEpoll"], path: "Sources/ZCHTTP"),
        // tar and gzip (zlib's deflate), streaming, for backup archives.
        .target(name: "ZCArchive", dependencies: ["CZlib", "ZCCrypto"], path: "Sources/ZCArchive"),
        // The web console: its files (Assets/, embedded at build time by the ConsoleEmbedding plugin) and
        // the routes that serve them.
        .executableTarget(name: "zcembed", path: "Sources/zcembed"),
        .plugin(
            name: "ConsoleEmbedding", capability: .buildTool(), dependencies: ["zcembed"],
            path: "Sources/ConsoleEmbedding"),
        .target(
            name: "ZCConsole", dependencies: ["ZCHTTP", "ZCArchive", "ZCCrypto"], path: "Sources/ZCConsole",
            exclude: ["Assets"], plugins: ["ConsoleEmbedding"]),
        // The SQL both stores share: queries with bound values, dialects, the Store built on a connection pool.
        .target(name: "ZCSQL", dependencies: ["ZCCore", "ZCCrypto"], path: "Sources/ZCSQL"),

        // Drivers.
        .target(name: "SQLiteStore", dependencies: ["ZCCore", "ZCSQL", "CSQLite"], path: "Modules/SQLiteStore"),
        .target(name: "PostgresStore", dependencies: ["ZCCore", "ZCSQL", "CLibPQ"], path: "Modules/PostgresStore"),
        .target(name: "DockerRuntime", dependencies: ["ZCCore", "ZCHTTP"], path: "Modules/DockerRuntime"),
        .target(
            name: "ProcessRuntime", dependencies: ["ZCCore", "ZCCrypto", "CProcess"], path: "Modules/ProcessRuntime"),
        .target(name: "DirectoryObjects", dependencies: ["ZCCore"], path: "Modules/DirectoryObjects"),
        .target(name: "S3Objects", dependencies: ["ZCCore", "ZCHTTP", "ZCCrypto"], path: "Modules/S3Objects"),

        // Plugins: ordinary library targets (SwiftPM reserves Plugins/ for package plugins, hence the path).
        .target(name: "LogNotifier", dependencies: ["ZCCore"], path: "Plugins/LogNotifier"),
        .target(name: "ResourceCollector", dependencies: ["ZCCore"], path: "Plugins/ResourceCollector"),
        .target(name: "HealthChecker", dependencies: ["ZCCore", "ZCHTTP"], path: "Plugins/HealthChecker"),
        .target(name: "UsageCollector", dependencies: ["ZCCore", "ZCHTTP"], path: "Plugins/UsageCollector"),
        .target(name: "WebhookNotifier", dependencies: ["ZCCore", "ZCCrypto"], path: "Plugins/WebhookNotifier"),
        .target(name: "MailNotifier", dependencies: ["ZCCore", "CSSL"], path: "Plugins/MailNotifier"),

        // Composition root and the embeddable platform.
        .target(
            name: "ZCPlatform",
            dependencies: [
                "ZCCore", "ZCCrypto", "ZCHTTP", "ZCTOML", "ZCSQL", "ZCArchive", "ZCConsole", "SQLiteStore",
                "PostgresStore",
                "DockerRuntime", "ProcessRuntime", "DirectoryObjects", "S3Objects", "LogNotifier", "WebhookNotifier",
                "MailNotifier",
                "ResourceCollector",
                "HealthChecker",
                "UsageCollector",
            ],
            path: "Sources/ZCPlatform"),
        .executableTarget(
            name: "zcplatform", dependencies: ["ZCPlatform", "ZCCore", "ZCCrypto"],
            path: "Sources/CLI"),
        .executableTarget(
            name: "zcbench",
            dependencies: [
                "ZCPlatform", "ZCCore", "ZCCrypto", "ZCHTTP", "ZCSQL", "SQLiteStore", "PostgresStore", "CSQLite",
                "DockerRuntime", "ResourceCollector",
            ],
            path: "Sources/zcbench"),

        // The agent simulator: ZeroClaw's gateway endpoints for tests and demos.
        .executableTarget(name: "zcagent-sim", dependencies: ["ZCHTTP", "ZCTOML"], path: "Sources/zcagent-sim"),

        // Shared suites that every driver runs unchanged.
        .target(name: "StoreConformance", dependencies: ["ZCCore"], path: "Tests/StoreConformance"),
        .target(name: "RuntimeConformance", dependencies: ["ZCCore", "ZCHTTP"], path: "Tests/RuntimeConformance"),
        .target(
            name: "ObjectStoreConformance", dependencies: ["ZCCore"], path: "Tests/ObjectStoreConformance"),
        .target(
            name: "TestSupport",
            dependencies: ["ZCCore", "ZCHTTP", "PostgresStore", "S3Objects", "CLibPQ", "CProcess"],
            path: "Tests/TestSupport",
            exclude: ["smtp_server.py"]),

        // Tests.
        .testTarget(
            name: "SystemLibrariesTests", dependencies: ["CSQLite", "CLibPQ", "CCrypto", "CZlib", "CEpoll"],
            path: "Tests/SystemLibrariesTests"),
        .testTarget(name: "ZCCoreTests", dependencies: ["ZCCore", "TestSupport"], path: "Tests/ZCCoreTests"),
        .testTarget(name: "ZCHTTPTests", dependencies: ["ZCHTTP", "ZCCore"], path: "Tests/ZCHTTPTests"),
        .testTarget(name: "ZCCryptoTests", dependencies: ["ZCCrypto", "ZCCore"], path: "Tests/ZCCryptoTests"),
        .testTarget(name: "ZCTOMLTests", dependencies: ["ZCTOML"], path: "Tests/ZCTOMLTests"),
        .testTarget(
            name: "ZCArchiveTests", dependencies: ["ZCArchive", "ZCCrypto", "TestSupport"], path: "Tests/ZCArchiveTests"
        ),
        .testTarget(
            name: "CollectorTests",
            dependencies: [
                "ResourceCollector", "HealthChecker", "UsageCollector", "ZCCore", "ZCHTTP", "TestSupport",
                "SQLiteStore",
                "PostgresStore", "zcagent-sim",
            ],
            path: "Tests/CollectorTests"),
        .testTarget(
            name: "MailNotifierTests", dependencies: ["MailNotifier", "ZCCore", "TestSupport"],
            path: "Tests/MailNotifierTests"),
        .testTarget(
            name: "WebhookNotifierTests",
            dependencies: ["WebhookNotifier", "ZCCore", "ZCCrypto", "ZCHTTP", "TestSupport"],
            path: "Tests/WebhookNotifierTests"),
        .testTarget(
            name: "SQLiteStoreTests",
            dependencies: ["SQLiteStore", "StoreConformance", "TestSupport", "ZCCore", "ZCHTTP", "CSQLite"],
            path: "Tests/SQLiteStoreTests"),
        .testTarget(
            name: "PostgresStoreTests",
            dependencies: ["PostgresStore", "StoreConformance", "TestSupport", "ZCCore", "ZCSQL"],
            path: "Tests/PostgresStoreTests"),
        .testTarget(
            name: "DockerRuntimeTests",
            dependencies: ["DockerRuntime", "RuntimeConformance", "ZCCore", "ZCHTTP", "TestSupport"],
            path: "Tests/DockerRuntimeTests"),
        .testTarget(
            name: "ProcessRuntimeTests",
            dependencies: ["ProcessRuntime", "RuntimeConformance", "ZCCore", "ZCHTTP", "TestSupport", "zcagent-sim"],
            path: "Tests/ProcessRuntimeTests"),
        .testTarget(
            name: "ObjectStoreTests",
            dependencies: [
                "DirectoryObjects", "S3Objects", "ObjectStoreConformance", "ZCCore", "ZCHTTP", "ZCCrypto",
                "TestSupport",
            ],
            path: "Tests/ObjectStoreTests"),
        .testTarget(
            name: "ZCPlatformTests",
            dependencies: [
                "ZCPlatform", "ZCTOML", "ZCCore", "ZCCrypto", "ZCHTTP", "ZCSQL", "SQLiteStore", "PostgresStore",
                "TestSupport", "zcplatform", "zcagent-sim", "S3Objects",
            ],
            path: "Tests/ZCPlatformTests", exclude: ["Fixtures"]),
    ]
)
