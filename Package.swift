// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Afterdesk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "afterdesk", targets: ["afterdesk"]),
        .executable(name: "afterdesk-bench", targets: ["afterdesk-bench"]),
        .library(name: "AfterdeskCore", targets: ["AfterdeskCore"]),
        .library(name: "AfterdeskStore", targets: ["AfterdeskStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The domain: values in, values out. No database, no network, no file system.
        .target(
            name: "AfterdeskCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // Process-wide SQLite settings that Swift cannot reach (sqlite3_config is variadic).
        .target(
            name: "CSQLiteConfig",
            dependencies: [.product(name: "GRDBSQLite", package: "GRDB.swift")]
        ),
        // Owns the SQLite file: migrations and workflow-level operations.
        .target(
            name: "AfterdeskStore",
            dependencies: [
                "AfterdeskCore", "CSQLiteConfig",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .executableTarget(
            name: "afterdesk",
            dependencies: [
                "AfterdeskCore", "AfterdeskStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "afterdesk-bench",
            dependencies: ["AfterdeskCore", "AfterdeskStore"]
        ),
        .testTarget(name: "AfterdeskCoreTests", dependencies: ["AfterdeskCore"]),
        .testTarget(
            name: "AfterdeskStoreTests",
            dependencies: ["AfterdeskStore", "AfterdeskCore", .product(name: "GRDB", package: "GRDB.swift")],
            resources: [.copy("Fixtures")]
        ),
    ]
)
