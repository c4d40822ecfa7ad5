// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Afterdesk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "afterdesk", targets: ["afterdesk"]),
        .executable(name: "afterdesk-bench", targets: ["afterdesk-bench"]),
        .library(name: "AfterdeskCore", targets: ["AfterdeskCore"]),
        .library(name: "AfterdeskStorage", targets: ["AfterdeskStorage"]),
        .library(name: "AfterdeskSQLite", targets: ["AfterdeskSQLite"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.100.0"),
        // /api/v1 from docs/openapi.yaml: the generator's command line makes the types and the server protocol
        // (scripts/generate-api.sh; its build plugin would add minutes to every cold build, docs/api.md); the runtime
        // and the Hummingbird transport are built into the server.
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
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
        // What is stored, as the workflows see it: the storage protocols per workflow area and the typed values they
        // exchange. Depends on the domain only; every backend implements these protocols.
        .target(name: "AfterdeskStorage", dependencies: ["AfterdeskCore"]),
        // The PostgreSQL backend (issue 29): its own schema history, on postgres-nio's PostgresClient.
        .target(
            name: "AfterdeskPostgres",
            dependencies: [
                "AfterdeskCore", "AfterdeskStorage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // The SQLite backend: owns the file, its migrations, and the storage protocols' implementation.
        .target(
            name: "AfterdeskSQLite",
            dependencies: [
                "AfterdeskCore", "AfterdeskStorage", "CSQLiteConfig",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // libcurl through a few plain C functions (curl_easy_setopt is variadic): SMTP only.
        .target(name: "CCurlShim", linkerSettings: [.linkedLibrary("curl")]),
        // Channels (SMTP on libcurl; SMS and the CRM webhook on one shared async-http-client), message templates,
        // signatures.
        .target(
            name: "AfterdeskDelivery",
            dependencies: [
                "AfterdeskCore", "CCurlShim",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The orchestration the command line, the API and the web share: dispatch and its scheduler, inbound texts,
        // offer links, imports, loading the menu and templates. No HTTP.
        .target(
            name: "AfterdeskWorkflows",
            dependencies: [
                "AfterdeskCore", "AfterdeskStorage", "AfterdeskDelivery",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The API's types and server protocol, generated from docs/openapi.yaml with `openapi-generator-config.yaml` by
        // scripts/generate-api.sh and committed (scripts/test.sh regenerates and compares). Nothing else lives here.
        .target(
            name: "AfterdeskAPI",
            dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            exclude: ["openapi-generator-config.yaml"]
        ),
        // The one place a database's location becomes a storage: a SQLite file or a PostgreSQL URL (the command line,
        // the demo and the bench open theirs through it).
        .target(
            name: "AfterdeskDatabases",
            dependencies: [
                "AfterdeskCore", "AfterdeskStorage", "AfterdeskSQLite", "AfterdeskPostgres",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // HTTP only: the application, its routes, pages and authentication; it starts the workflows' scheduler.
        .target(
            name: "AfterdeskServer",
            dependencies: [
                "AfterdeskCore", "AfterdeskStorage", "AfterdeskDelivery", "AfterdeskWorkflows", "AfterdeskAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The simulated dealership: a seeded year of deals, the demo run, and the simulated customers and staff.
        .target(
            name: "AfterdeskDemo",
            dependencies: ["AfterdeskCore", "AfterdeskStorage", "AfterdeskSQLite", "AfterdeskDelivery", "AfterdeskWorkflows"]
        ),
        .executableTarget(
            name: "afterdesk",
            dependencies: [
                // The server for `afterdesk serve` (and the users' passwords, bcrypt); every other command uses workflows.
                "AfterdeskCore", "AfterdeskStorage", "AfterdeskSQLite", "AfterdeskDelivery", "AfterdeskWorkflows", "AfterdeskServer",
                "AfterdeskDemo", "AfterdeskDatabases", "AfterdeskPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "afterdesk-bench",
            dependencies: [
                "AfterdeskCore", "AfterdeskStorage", "AfterdeskSQLite", "AfterdeskDelivery", "AfterdeskWorkflows", "AfterdeskServer",
                "AfterdeskDemo", "AfterdeskTestSupport", "AfterdeskDatabases", "AfterdeskPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Local servers for the tests (aiosmtpd, a Twilio-compatible API), shared by the test targets.
        .target(name: "AfterdeskTestSupport", path: "Tests/AfterdeskTestSupport"),
        // The backends the tests run on (issue 29): a fresh SQLite or PostgreSQL storage per test case, the tests' own
        // SQL on either, and the count of cases each backend passed.
        .target(
            name: "AfterdeskBackendTestSupport",
            dependencies: [
                "AfterdeskCore", "AfterdeskStorage", "AfterdeskSQLite", "AfterdeskPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/AfterdeskBackendTestSupport"
        ),
        // Fixtures are read from the repository by path (the holidays package's dates, ContactRulesPlanningTests).
        .testTarget(name: "AfterdeskCoreTests", dependencies: ["AfterdeskCore", "AfterdeskDemo"], exclude: ["Fixtures"]),
        .testTarget(
            name: "AfterdeskPostgresTests",
            dependencies: ["AfterdeskPostgres", "AfterdeskCore", "AfterdeskStorage", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "AfterdeskSQLiteTests",
            dependencies: [
                "AfterdeskStorage", "AfterdeskSQLite", "AfterdeskCore", "AfterdeskDemo", "AfterdeskBackendTestSupport",
                "AfterdeskPostgres", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            resources: [.copy("Fixtures")]
        ),
        // The storage contract: every scenario, written against the protocols only, run for every backend (the
        // factories are the one place a backend is named). The protocols' sources are read by path (Checklist).
        .testTarget(
            name: "AfterdeskStorageContractTests",
            dependencies: [
                "AfterdeskStorage", "AfterdeskSQLite", "AfterdeskPostgres", "AfterdeskCore", "AfterdeskDemo", "AfterdeskBackendTestSupport",
                "AfterdeskWorkflows", "AfterdeskDelivery",
            ]
        ),
        .testTarget(
            name: "AfterdeskDeliveryTests",
            dependencies: [
                "AfterdeskDelivery", "AfterdeskCore", "AfterdeskStorage", "AfterdeskTestSupport",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // Read from the repository by path (TemplateSnapshotTests), so they can be recorded in place.
            exclude: ["Snapshots"]
        ),
        .testTarget(
            name: "AfterdeskServerTests",
            // Page snapshots, read from the repository by path (PageSnapshotTests), so they can be recorded in place.
            dependencies: [
                "AfterdeskServer", "AfterdeskWorkflows", "AfterdeskStorage", "AfterdeskSQLite", "AfterdeskDelivery", "AfterdeskCore",
                "AfterdeskDemo",
                "AfterdeskTestSupport", "AfterdeskBackendTestSupport", "AfterdeskPostgres",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            exclude: ["Snapshots"]
        ),
        .testTarget(
            name: "AfterdeskDemoTests",
            dependencies: [
                "AfterdeskDemo", "AfterdeskWorkflows", "AfterdeskStorage", "AfterdeskSQLite", "AfterdeskDelivery", "AfterdeskCore",
                "AfterdeskTestSupport",
            ]
        ),
    ]
)
