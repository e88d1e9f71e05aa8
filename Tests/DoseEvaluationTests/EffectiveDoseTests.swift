import CTDoseReport
import DoseEvaluation
import DoseTestSupport
import Foundation
import Testing

/// The shipped effective-dose sets and the estimator: coefficients as the
/// notes give them, interpolation in age, kVp columns, phantoms never mixed.
@Suite("Effective dose from DLP")
struct EffectiveDoseTests {
    static func set(_ id: String) throws -> EffectiveDoseSet {
        let path = Fixtures.packageRoot + "/config/effective-dose/\(id).csv"
        return try EffectiveDoseSetParser.parse(try String(contentsOfFile: path, encoding: .utf8), file: path).get()
    }

    @Test func theShippedSetsParseWithTheirTagsAndBasis() throws {
        let aapm = try Self.set("aapm96-icrp60")
        #expect(aapm.rows.count == 25 && aapm.basis == "ICRP60" && aapm.rows.allSatisfy { $0.verification == .V2 })
        let lee = try Self.set("lee2012-icrp103")
        #expect(lee.rows.count == 72 && lee.basis == "ICRP103" && lee.rows.allSatisfy { $0.verification == .V1 })
        // reference-levels-2.md §8.1 and §8.2, cell by cell where a test names one.
        #expect(aapm.coefficient(region: .chest, ageYears: 0, kvp: nil)?.value == 0.039)
        #expect(aapm.coefficient(region: .abdomenPelvis, ageYears: 10, kvp: nil)?.value == 0.015)
        #expect(lee.coefficient(region: .head, ageYears: 5, kvp: 100)?.value == 0.0038)
    }

    @Test func ageIsInterpolatedLinearlyAndHeldAtTheEnds() throws {
        let aapm = try Self.set("aapm96-icrp60")
        let head4 = try #require(aapm.coefficient(region: .head, ageYears: 4, kvp: nil))
        #expect(abs(head4.value - (0.0067 + 0.75 * (0.0040 - 0.0067))) < 1e-12)
        #expect(head4.rows.map(\.ageYears) == [1, 5])
        #expect(aapm.coefficient(region: .head, ageYears: 40, kvp: nil)?.value == 0.0021, "held at the adult column")
        #expect(aapm.coefficient(region: .other, ageYears: 4, kvp: nil) == nil)
    }

    @Test func theNearestKVpColumnIsUsedAndSaidSo() throws {
        let lee = try Self.set("lee2012-icrp103")
        let at90 = try #require(lee.coefficient(region: .chest, ageYears: 1, kvp: 90))
        #expect(at90.value == 0.0306 || at90.value == 0.0315)
        #expect(at90.kvpNote?.contains("taken as the table's nearest") == true)
        let unknown = try #require(lee.coefficient(region: .chest, ageYears: 1, kvp: nil))
        #expect(unknown.value == 0.0330)
        #expect(unknown.kvpNote == "no kVp in the report: the 120 kVp column is used")
    }

    @Test func unverifiedAndMixedRowsAreRefusedByName() {
        let header = "region,age_years,kvp,coefficient,unit,basis,phantom,phantom_basis,citation,verification,remark\n"
        let u = EffectiveDoseSetParser.parse(header + "head,0,,0.011,mSv/(mGy.cm),ICRP60,16,assumed,\"x\",U,\n", file: "u.csv")
        #expect(throws: (any Error).self) { try u.get() }
        if case .failure(let list) = u { #expect(list.description == "u.csv:2: verification U: an unverified figure is not used until verified") }
        let mixed = EffectiveDoseSetParser.parse(header + "head,0,,0.011,mSv/(mGy.cm),ICRP60,16,assumed,\"x\",V2,\nchest,0,,0.03,mSv/(mGy.cm),ICRP103,32,assumed,\"x\",V1,\n", file: "m.csv")
        if case .failure(let list) = mixed { #expect(list.description.contains("rows mix ICRP 60 and ICRP 103")) } else { Issue.record("mixed bases accepted") }
        let bad = EffectiveDoseSetParser.parse(header + "head,0,,2.5,mSv/(mGy.cm),ICRP60,24,assumed,\"x\",V2,\n", file: "b.csv")
        if case .failure(let list) = bad { #expect(list.description.contains("not a plausible mSv per mGy·cm")) } else { Issue.record("2.5 accepted") }
    }
}
