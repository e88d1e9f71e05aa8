import DoseConfiguration
import DoseEvaluation
import DoseTestSupport
import Foundation
import Testing

@Suite("Reference level sets")
struct ReferenceSetTests {
    static let directory = Fixtures.packageRoot + "/config/reference-levels"
    static let shipped = ["aapm-dose-check-2011", "eu-rp185", "goske2013-abdomen-ssde", "japan-takei2016", "strauss2017-chest-ssde", "us-acr-kanal2022-age"]

    static func load(_ id: String) throws -> ReferenceSet {
        let text = try String(contentsOfFile: "\(directory)/\(id).csv", encoding: .utf8)
        return try ReferenceSetParser.parse(text, file: "\(id).csv").get()
    }

    @Test func everySetInTheNotesIsShipped() {
        #expect(ConfigurationLoader.availableSetIDs(in: Self.directory) == Self.shipped)
    }

    @Test("every shipped set loads, every row cited and tagged", arguments: shipped)
    func shippedSetLoads(id: String) throws {
        let set = try Self.load(id)
        #expect(!set.rows.isEmpty)
        #expect(set.title != id)
        for row in set.rows {
            #expect(row.citation.count > 40, "\(row.origin)")
            #expect([.V1, .V2, .S].contains(row.verification))
        }
    }

    @Test func shippedFiguresMatchTheNotes() throws {
        let eu = try Self.load("eu-rp185")
        let chest = eu.rows.filter { $0.regions == [.chest] && $0.quantity == .ctdivol }.sorted { $0.band.lower < $1.band.lower }
        #expect(chest.map(\.value) == [1.4, 1.8, 2.7, 3.7, 5.4])
        #expect(chest.map(\.band.lower) == [0, 5, 15, 30, 50])
        #expect(chest.allSatisfy { $0.phantomBasis == .assumed && $0.verification == .S })
        let japan = try Self.load("japan-takei2016")
        #expect(japan.rows.filter { $0.quantity == .ctdivol && $0.regions == [.head] }.map(\.value).sorted() == [39.1, 46.9, 67.7])
        #expect(japan.rows.allSatisfy { ($0.phantomCm == 16 && $0.phantomBasis == .stated) && $0.verification == .V1 })
        let goske = try Self.load("goske2013-abdomen-ssde")
        #expect(goske.rows.filter { $0.level == .rangeUpper }.map(\.value).sorted() == [12.0, 12.2, 13.4, 16.4, 19.0])
        #expect(goske.rows.allSatisfy { $0.band.variable == .bodyWidthCm && $0.phantomCm == nil })
        let us = try Self.load("us-acr-kanal2022-age")
        #expect(us.rows.count == 56)
        #expect(us.rows.first { $0.regions == [.head] && $0.quantity == .ctdivol && $0.band.lower == 6 }?.value == 55)
        let aapm = try Self.load("aapm-dose-check-2011")
        #expect(Set(aapm.rows.map(\.value)) == [50, 60, 25, 10])
        #expect(!aapm.rows.contains { $0.value == 1000 }, "the unverified 1000 mGy alert value is not shipped")
    }

    static let header = "region,contrast,band_variable,band_lower,band_upper,quantity,phantom,phantom_basis,level,value,unit,citation,verification,remark\n"
    static let cite = "\"Example A, Example B. A citation long enough. Journal 2020;1:1-2\""

    static func problems(_ rows: String) -> [String] {
        switch ReferenceSetParser.parse(header + rows, file: "/x/broken.csv") {
        case .success: return []
        case .failure(let list): return list.problems.map(\.description)
        }
    }

    @Test func overlappingBandsAreRefused() {
        let found = Self.problems("""
            chest,,weightKg,0,10,CTDIvol,32,stated,drl,2,mGy,\(Self.cite),V1,
            chest,,weightKg,5,20,CTDIvol,32,stated,drl,3,mGy,\(Self.cite),V1,
            """)
        #expect(found == ["broken.csv:3: band weight [5, 20) kg overlaps weight [0, 10) kg (line 2)"])
    }

    @Test func gapsBetweenBandsAreRefused() {
        let found = Self.problems("""
            chest,,ageYears,0,1,CTDIvol,32,stated,drl,2,mGy,\(Self.cite),V1,
            chest,,ageYears,2,5,CTDIvol,32,stated,drl,3,mGy,\(Self.cite),V1,
            """)
        #expect(found == ["broken.csv:3: gap between age [0, 1) years and age [2, 5) years"])
    }

    @Test func missingCitationIsRefused() {
        #expect(Self.problems("chest,,ageYears,0,1,CTDIvol,32,stated,drl,2,mGy,,V1,\n") == ["broken.csv:2: missing citation"])
    }

    @Test func unknownUnitIsRefused() {
        #expect(Self.problems("chest,,ageYears,0,1,DLP,32,stated,drl,2,mGy,\(Self.cite),V1,\n")
            == ["broken.csv:2: unknown unit 'mGy' for DLP (expected mGy.cm)"])
    }

    @Test func unverifiedFiguresAreRefused() {
        #expect(Self.problems("chest,,ageYears,0,1,CTDIvol,32,stated,alert,1000,mGy,\(Self.cite),U,\n")
            == ["broken.csv:2: verification U: an unverified figure is not used until verified"])
    }

    @Test func everyProblemIsReportedNotJustTheFirst() {
        let found = Self.problems("""
            lungs,,ageYears,0,1,CTDIvol,32,stated,drl,2,mGy,\(Self.cite),V1,
            chest,,shoeSize,0,1,CTDIvol,32,stated,drl,2,mGy,\(Self.cite),V1,
            chest,,ageYears,0,1,CTDIvol,24,stated,drl,2,mGy,\(Self.cite),V1,
            """)
        #expect(found.count == 3)
        #expect(found[0].hasPrefix("broken.csv:2: unknown region 'lungs'"))
        #expect(found[1].hasPrefix("broken.csv:3: unknown band_variable 'shoeSize'"))
        #expect(found[2] == "broken.csv:4: CTDIvol needs phantom 16 or 32, got '24'")
    }
}
