// swift-tools-version:6.1
import PackageDescription

// Layering: each module may import only modules listed above it, and only
// those its target names below (scripts/check-layering.py checks both, in CI).
//   CDCMTKShim         C++: the only code that includes DCMTK (reading, storage SCP, SCU)
//   CZlib              zlib as the system ships it: the store deflates the objects it keeps
//   StructuredReport   the generic SR content tree and codes, pure Swift
//   DCMTKBridge        the only Swift importer of CDCMTKShim
//   CTDoseReport       the typed TID 10011–10015 model, its decoder, JSON; pure Swift
//   CTImageSize        CT slices → water-equivalent diameter (AAPM 220), slice selection; pure Swift
//   DoseReader         files and bytes → a typed report, an image size record, or a named rejection
//   DoseEvaluation     size, SSDE, reference sets, findings, protocol validation; pure Swift, no I/O
//   DoseConfiguration  the YAML configuration (the only Yams importer)
//   DoseStore          persists verdicts and reads (the only GRDB importer; SQLite's C API only in SQLiteDirect.swift)
//   DoseIngest         the one way in: read → reconcile → judge → record
//   DoseReports        the weekly report: statistics, HTML/SVG, CSV
//   DoseDashboard      read-only pages, JSON API, /metrics (the only Hummingbird importer)
//   DoseService        the daemon's services: drop folders, DICOM listener, DICOMweb, alerts, systemd
//   DoseDaemon         the composition root: a configuration → the ServiceGroup of `serve`
//   DoseCommands       the `doseaudit` subcommands
//   doseaudit          @main only
// Test data, below everything: DICOMEncoding, make-pediatric-samples, DoseTestSupport.
// A test target sits just above the module it tests, unless it says otherwise here:
//   CTDoseReportTests: above DoseReader (it decodes real files)
//   CTImageSizeTests: above DoseReader (it measures real images)
//   DoseEvaluationTests: above DoseConfiguration (it judges with the shipped configuration)
let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "DoseAudit",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "doseaudit", targets: ["doseaudit"]),
        .library(name: "DoseReader", targets: ["DoseReader"]),
        // For FuzzTesting's pixel-path fuzzer.
        .library(name: "CTImageSize", targets: ["CTImageSize"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
    ],
    targets: [
        .target(
            name: "CDCMTKShim",
            linkerSettings: [
                // dcmjpeg, dcmjpls: the image reader's JPEG and JPEG-LS decoders (RLE is in dcmdata).
                .linkedLibrary("dcmjpeg"), .linkedLibrary("dcmjpls"),
                .linkedLibrary("dcmnet"), .linkedLibrary("dcmdata"), .linkedLibrary("oflog"), .linkedLibrary("ofstd"),
                // zlib: the pre-scan inflates a deflated dataset to check it before DCMTK does.
                .linkedLibrary("z"),
            ]
        ),
        .systemLibrary(name: "CZlib"),
        .target(name: "StructuredReport", swiftSettings: strictSwift),
        .target(name: "DCMTKBridge", dependencies: ["CDCMTKShim", "StructuredReport"], swiftSettings: strictSwift),
        .target(name: "CTDoseReport", dependencies: ["StructuredReport"], swiftSettings: strictSwift),
        .target(name: "CTImageSize", dependencies: ["CTDoseReport"], swiftSettings: strictSwift),
        .target(name: "DoseEvaluation", dependencies: ["CTDoseReport", "StructuredReport", "CTImageSize"], swiftSettings: strictSwift),
        .target(
            name: "DoseStore",
            dependencies: [
                "CTDoseReport", "CTImageSize", "DoseEvaluation", "CZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, in SQLiteDirect.swift only: ingest's row binds.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "DoseIngest",
            dependencies: ["DoseStore", "DoseReader", "DoseEvaluation", "DoseConfiguration", "CTDoseReport", "CTImageSize", "StructuredReport"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "DoseService",
            dependencies: [
                "DoseIngest", "DoseStore", "DoseReader", "DCMTKBridge", "DoseEvaluation", "DoseConfiguration", "CTDoseReport", "CTImageSize", "StructuredReport",
                .product(name: "Prometheus", package: "swift-prometheus"),
                // DICOMweb polling and the webhook: cancellable requests, and no
                // FoundationNetworking (its URLSession hung on a 401).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "DoseDashboard",
            dependencies: [
                "DoseStore", "DoseConfiguration", "DoseEvaluation", "CTDoseReport", "CTImageSize", "DoseReports",
                .product(name: "Hummingbird", package: "hummingbird"),
                // HTTPS when a certificate is configured.
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // The users file's salted password hashes.
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                // Pages are made on its blocking pool (`BlockingWork`).
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "DoseDaemon",
            dependencies: [
                "DoseService", "DoseDashboard", "DoseIngest", "DoseStore", "DoseConfiguration", "DoseReader",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "DoseReports",
            dependencies: ["DoseStore", "DoseEvaluation", "CTDoseReport", "CTImageSize"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "DoseConfiguration",
            dependencies: ["DoseEvaluation", "CTDoseReport", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSwift
        ),
        .target(
            name: "DoseReader",
            dependencies: ["DCMTKBridge", "CTDoseReport", "StructuredReport", "CTImageSize"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "DoseCommands",
            dependencies: [
                "DoseReader", "DCMTKBridge", "CTDoseReport", "CTImageSize", "StructuredReport", "DoseEvaluation", "DoseConfiguration", "DoseStore", "DoseIngest", "DoseService", "DoseReports", "DoseDashboard", "DoseDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(name: "doseaudit", dependencies: ["DoseCommands"], swiftSettings: strictSwift),
        .target(name: "DICOMEncoding", swiftSettings: strictSwift),
        .executableTarget(
            name: "make-pediatric-samples",
            dependencies: ["DICOMEncoding", "CTDoseReport"],
            path: "Sources/SampleGenerator",
            swiftSettings: strictSwift
        ),
        .target(name: "DoseTestSupport", dependencies: ["DICOMEncoding"], path: "Tests/DoseTestSupport", swiftSettings: strictSwift),
        .testTarget(
            name: "DCMTKBridgeTests",
            dependencies: ["DCMTKBridge", "StructuredReport", "DoseTestSupport"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "CTDoseReportTests",
            dependencies: ["CTDoseReport", "StructuredReport", "DoseReader", "DoseTestSupport", "DICOMEncoding"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "CTImageSizeTests",
            dependencies: ["CTImageSize", "DoseReader", "DCMTKBridge", "DoseTestSupport", "DICOMEncoding"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "DoseReaderTests",
            dependencies: ["DoseReader", "CTDoseReport", "StructuredReport", "DCMTKBridge", "DoseTestSupport", "DICOMEncoding"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "DoseEvaluationTests",
            dependencies: ["DoseEvaluation", "DoseConfiguration", "CTDoseReport", "CTImageSize", "DoseReader", "DoseTestSupport", "StructuredReport"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "DoseStoreTests",
            // GRDB only to build an old-version store for the migration tests.
            dependencies: [
                "DoseStore", "DoseEvaluation", "DoseConfiguration", "CTDoseReport", "DoseReader", "DoseTestSupport", "DICOMEncoding",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "DoseIngestTests",
            dependencies: [
                "DoseIngest", "DoseStore", "DoseEvaluation", "DoseConfiguration", "CTDoseReport", "DoseReader", "DoseTestSupport", "DICOMEncoding",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "DoseConfigurationTests",
            dependencies: ["DoseConfiguration", "DoseEvaluation", "DoseTestSupport"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "DoseReportsTests",
            dependencies: ["DoseReports", "DoseStore", "DoseIngest", "DoseConfiguration", "DoseEvaluation", "CTDoseReport", "CTImageSize", "DoseTestSupport", "DICOMEncoding"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "DoseDashboardTests",
            dependencies: [
                "DoseDashboard", "DoseStore", "DoseIngest", "DoseConfiguration", "DoseEvaluation", "DoseTestSupport", "DICOMEncoding",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "DoseServiceTests",
            dependencies: [
                "DoseService", "DoseIngest", "DoseStore", "DoseReader", "DoseConfiguration", "DoseEvaluation", "CTDoseReport", "DoseTestSupport", "DICOMEncoding",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "DoseCommandsTests",
            dependencies: [
                "DoseCommands", "DoseReader", "CTDoseReport", "DoseService", "DoseStore", "DoseConfiguration", "DoseTestSupport", "DICOMEncoding",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSwift
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
