// swift-tools-version:6.1
import PackageDescription

// Built on its own (never part of the main package's build or tests):
//   FuzzTesting/run.sh  — builds with libFuzzer + AddressSanitizer and fuzzes.
let package = Package(
    name: "FuzzTesting",
    dependencies: [.package(name: "DoseAudit", path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzDoseReader",
            dependencies: [.product(name: "DoseReader", package: "DoseAudit")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .executableTarget(
            name: "FuzzCTImageSize",
            dependencies: [.product(name: "DoseReader", package: "DoseAudit")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .executableTarget(
            name: "FuzzSliceMeasure",
            dependencies: [.product(name: "CTImageSize", package: "DoseAudit")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
