import DoseEvaluation
import Testing

/// AAPM 204 / 220 / 293 against every tabulated row in the notes.
@Suite("Size conversion (AAPM 204, 220, 293)")
struct SizeConversionTests {
    @Test func tablesWereFound() {
        #expect(NotesTables.rows(inSection: "1.4 Table 1 (32 cm)").count == 38)
        #expect(NotesTables.rows(inSection: "1.5 Table 2 (16 cm)").count == 50)
        #expect(NotesTables.rows(inSection: "1.6 Age → effective diameter").count == 30)
    }

    @Test("32 cm conversion factor at every tabulated diameter (±0.005)")
    func factor32() throws {
        for row in NotesTables.rows(inSection: "1.4 Table 1 (32 cm)") {
            let d = try #require(Double(row[4]))
            let tabulated = try #require(Double(row[5]))
            let f = try #require(AAPM204.conversionFactor(diameterCm: d, phantomCm: 32))
            #expect(abs(f - tabulated) <= 0.005, "D = \(d) cm: \(f) vs \(tabulated)")
        }
    }

    @Test("16 cm conversion factor at every tabulated diameter (±0.005)")
    func factor16() throws {
        for row in NotesTables.rows(inSection: "1.5 Table 2 (16 cm)") {
            let d = try #require(Double(row[4]))
            let tabulated = try #require(Double(row[5]))
            let f = try #require(AAPM204.conversionFactor(diameterCm: d, phantomCm: 16))
            #expect(abs(f - tabulated) <= 0.005, "D = \(d) cm: \(f) vs \(tabulated)")
        }
    }

    @Test("LAT, AP and AP+LAT regressions reproduce the tables (±0.05 cm)")
    func dimensionRegressions() throws {
        for section in ["1.4 Table 1 (32 cm)", "1.5 Table 2 (16 cm)"] {
            for row in NotesTables.rows(inSection: section) {
                let (lat, fromLat) = try #require(NotesTables.arrow(row[1]))
                let (ap, fromAP) = try #require(NotesTables.arrow(row[2]))
                let (sum, fromSum) = try #require(NotesTables.arrow(row[3]))
                #expect(abs(AAPM204.effectiveDiameter(lateralCm: lat) - fromLat) <= 0.05, "LAT \(lat)")
                #expect(abs(AAPM204.effectiveDiameter(apCm: ap) - fromAP) <= 0.05, "AP \(ap)")
                #expect(abs(AAPM204.effectiveDiameter(lateralPlusAPCm: sum) - fromSum) <= 0.05, "AP+LAT \(sum)")
            }
        }
    }

    @Test("age fit against every row of the age table (±0.05 cm)")
    func ageFit() throws {
        for row in NotesTables.rows(inSection: "1.6 Age → effective diameter") {
            let age = try #require(Double(row[0]))
            let tabulated = try #require(Double(row[1]))
            let fit = try #require(AAPM204.effectiveDiameter(ageYears: age))
            #expect(abs(fit - tabulated) <= 0.05, "age \(age): \(fit) vs \(tabulated)")
        }
        #expect(AAPM204.effectiveDiameter(ageYears: 18.5) == nil)
        #expect(AAPM204.effectiveDiameter(ageYears: -1) == nil)
    }

    @Test("AAPM 293 head factor at the listed Dw values")
    func headFactor() throws {
        let rows = NotesTables.rows(inSection: "2.3 AAPM Report 293")
        #expect(rows.count == 7)
        for row in rows {
            let dw = try #require(Double(row[0]))
            let listed = try #require(Double(row[1]))
            let f = try #require(AAPM293.headConversionFactor(waterEquivalentDiameterCm: dw))
            #expect(abs(f - listed) <= 0.0005, "Dw \(dw): \(f) vs \(listed)")
        }
    }

    @Test func outsideTheTabulatedRangeThereIsNoFactor() {
        #expect(AAPM204.conversionFactor(diameterCm: 7.9, phantomCm: 32) == nil)
        #expect(AAPM204.conversionFactor(diameterCm: 45.1, phantomCm: 32) == nil)
        #expect(AAPM204.conversionFactor(diameterCm: 8, phantomCm: 32) != nil)
        #expect(AAPM204.conversionFactor(diameterCm: 45, phantomCm: 32) != nil)
        #expect(AAPM204.conversionFactor(diameterCm: 5.9, phantomCm: 16) == nil)
        #expect(AAPM204.conversionFactor(diameterCm: 50, phantomCm: 16) != nil)
        #expect(AAPM204.conversionFactor(diameterCm: 55.1, phantomCm: 16) == nil)
        #expect(AAPM204.conversionFactor(diameterCm: 20, phantomCm: 10) == nil)
    }

    @Test func effectiveDiameterIsTheGeometricMean() {
        #expect(abs(AAPM204.effectiveDiameter(lateralCm: 23.6, apCm: 17.0) - 20.0299775) < 1e-6)
    }
}
