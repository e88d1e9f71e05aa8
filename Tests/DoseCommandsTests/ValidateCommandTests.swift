import DoseTestSupport
import Foundation
import Testing

/// `doseaudit validate`: verdicts, margins, JSON, JUnit XML and exit codes.
@Suite("doseaudit validate")
struct ValidateCommandTests {
    static let sheet = Fixtures.packageRoot + "/config/protocol-sheet-example.csv"
    static let config = Fixtures.packageRoot + "/config/doseaudit.yaml"

    static func validate(_ arguments: [String]) throws -> ProcessRunner.Result {
        try ProcessRunner.run(ProcessRunner.productsDirectory + "/doseaudit", ["validate", "--config", config] + arguments)
    }

    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-validate-\(UUID().uuidString)-\(name)").path
    }

    @Test func theExampleSheetAgainstTheUSLevels() throws {
        let json = Self.temporary("result.json")
        let junit = Self.temporary("result.xml")
        let result = try Self.validate(["--protocols", Self.sheet, "--sets", "us-acr-kanal2022-age", "--json", json, "--junit", junit])
        #expect(result.status == 3, "any fail → 3\n\(result.stderr)")
        #expect(result.stdout.hasSuffix("10 passed, 2 failed, 1 not comparable; 7 sheet rows, sets us-acr-kanal2022-age\n"))

        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        #expect(document["passed"] as? Int == 10 && document["failed"] as? Int == 2 && document["notComparable"] as? Int == 1)
        let checks = try #require(document["checks"] as? [[String: Any]])
        // Same-phantom rows: margin = (DRL − value) / DRL, with the DRLs of us-acr-kanal2022-age.csv.
        let expected: [(String, String, Double, Double)] = [
            ("Neonate Chest", "CTDIvol", 0.6, 1.7), ("Neonate Chest", "DLP", 7.2, 27),
            ("Toddler Chest", "CTDIvol", 1.1, 2.2), ("Toddler Chest", "DLP", 17.6, 49),
            ("Teen Chest", "CTDIvol", 3.9, 7.4), ("Teen Chest", "DLP", 136.5, 257),
            ("Infant Head Seq", "CTDIvol", 18.5, 23), ("Infant Head Seq", "DLP", 203.5, 344),
            ("Child Head 3y", "CTDIvol", 33, 31), ("Child Head 3y", "DLP", 600, 518),
        ]
        for (name, quantity, value, limit) in expected {
            let check = try #require(checks.first { $0["protocol"] as? String == name && $0["quantity"] as? String == quantity }, "\(name) \(quantity)")
            #expect(check["limit"] as? Double == limit)
            let margin = try #require(check["marginPercent"] as? Double)
            #expect(abs(margin - (limit - value) / limit * 100) < 0.05, "\(name) \(quantity): \(margin)")
            #expect(check["verdict"] as? String == (value < limit ? "pass" : "fail"))
        }
        // The 16 cm chest row is judged on the 32 cm phantom, about half the value.
        let converted = try #require(checks.first { $0["protocol"] as? String == "Ped Chest 16cm" && $0["quantity"] as? String == "CTDIvol" })
        let value = try #require(converted["value"] as? Double)
        #expect(value > 1.5 && value < 2.5)
        #expect((converted["explanation"] as? String)?.contains("16 cm → 32 cm") == true)
        let uncovered = try #require(checks.first { $0["protocol"] as? String == "Child Abdomen 15-25kg" })
        #expect(uncovered["verdict"] as? String == "notComparable")

        // A real XML parser reads the JUnit file; counts agree with its test cases.
        let parse = try ProcessRunner.run("python3", ["-c", """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            assert root.tag == 'testsuites'
            cases = root.findall('./testsuite/testcase')
            failures = [c for c in cases if c.find('failure') is not None]
            skipped = [c for c in cases if c.find('skipped') is not None]
            assert int(root.get('tests')) == len(cases), 'tests'
            assert int(root.get('failures')) == len(failures), 'failures'
            assert int(root.get('skipped')) == len(skipped), 'skipped'
            for suite in root.findall('testsuite'):
                assert int(suite.get('tests')) == len(suite.findall('testcase'))
            print(len(root.findall('testsuite')), len(cases), len(failures), len(skipped))
            print('|'.join(sorted(f.find('failure').get('message').split(' AT OR ABOVE')[0] for f in failures)))
            """, junit])
        #expect(parse.status == 0, "\(parse.stderr)")
        #expect(parse.stdout == "7 13 2 1\nCTDIvol 33 mGy|DLP 600 mGy·cm\n")
    }

    @Test func allPassingExitsZeroAndABrokenSheetExitsTwoNamingTheLine() throws {
        let good = Self.temporary("good.csv")
        try """
            protocol,region,contrast,phantom,band_variable,band_lower,band_upper,expected_ctdivol,expected_dlp
            Neonate Chest,chest,without,32,ageYears,0,1,0.6,7.2
            Infant Head Seq,head,without,16,ageYears,0,1,18.5,
            """.write(toFile: good, atomically: true, encoding: .utf8)
        let pass = try Self.validate(["--protocols", good, "--sets", "us-acr-kanal2022-age"])
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        #expect(pass.stdout.hasSuffix("3 passed, 0 failed, 0 not comparable; 2 sheet rows, sets us-acr-kanal2022-age\n"))

        let broken = Self.temporary("broken.csv")
        try """
            protocol,region,contrast,phantom,band_variable,band_lower,band_upper,expected_ctdivol,expected_dlp
            Neonate Chest,lungs,without,32,ageYears,0,1,0.6,7.2
            Infant Head Seq,head,without,20,ageYears,0,1,18.5,
            Child,head,,16,ageYears,5,2,10,
            """.write(toFile: broken, atomically: true, encoding: .utf8)
        let refused = try Self.validate(["--protocols", broken])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("\(broken):2: unknown region 'lungs'"))
        #expect(refused.stderr.contains("\(broken):3: phantom must be 16 or 32 (cm), not '20'"))
        #expect(refused.stderr.contains("\(broken):4: band_upper 2 is not above band_lower 5: the band is empty or inverted"))
    }

    @Test func aValueAtTheDRLFailsAsItWouldAlertForAPatient() throws {
        let sheet = Self.temporary("at-drl.csv")
        try """
            protocol,region,contrast,phantom,band_variable,band_lower,band_upper,expected_ctdivol,expected_dlp
            Neonate Chest,chest,without,32,ageYears,0,1,1.7,
            """.write(toFile: sheet, atomically: true, encoding: .utf8)
        let result = try Self.validate(["--protocols", sheet, "--sets", "us-acr-kanal2022-age"])
        #expect(result.status == 3)
        #expect(result.stdout.contains("FAIL  Neonate Chest age [0, 1) years [sheet]: CTDIvol 1.7 mGy AT OR ABOVE CTDIvol DRL 1.7 mGy"), "\(result.stdout)")
        #expect(result.stdout.contains("margin 0%"))
    }

    @Test func testScansAreCheckedAgainstTheSheetAndTheLevels() throws {
        // 07's "Child Head 3y" delivered 17.25 mGy; the sheet expects 33 mGy.
        let strict = try Self.validate(["--protocols", Self.sheet, "--sets", "us-acr-kanal2022-age", "--reports", Fixtures.samples, "--tolerance", "10"])
        #expect(strict.status == 3)
        #expect(strict.stdout.contains("FAIL  Child Head 3y age [2, 6) years [07-dose-check-override.dcm event 2]: delivered CTDIvol 17.25 mGy vs sheet 33 mGy"))
        #expect(strict.stdout.contains("-47.7%, tolerance ±10%"))
        #expect(!strict.stderr.contains("'Topogram'"), "localizers are not checked")
        let lenient = try Self.validate(["--protocols", Self.sheet, "--sets", "us-acr-kanal2022-age", "--reports", Fixtures.samples, "--tolerance", "50"])
        #expect(lenient.status == 0, "\(lenient.stdout)")
        #expect(lenient.stdout.contains("PASS  Child Head 3y age [2, 6) years [07-dose-check-override.dcm event 2]: CTDIvol 17.25 mGy below CTDIvol DRL 31 mGy"))
        let none = try Self.validate(["--protocols", Self.sheet, "--reports", Fixtures.samples + "/not-dose"])
        #expect(none.status == 2)
    }

    /// The Dose Check notification values of aapm-dose-check-2011 are
    /// checked (they were listed in the summary and never used); JUnit case
    /// names are unique within a suite (two rows of one set overlap a band);
    /// units read mGy·cm.
    @Test func doseCheckValuesAreCheckedAndJUnitNamesAreUnique() throws {
        let json = Self.temporary("dc.json")
        let junit = Self.temporary("dc.xml")
        let result = try Self.validate(["--protocols", Self.sheet, "--sets", "aapm-dose-check-2011,us-acr-kanal2022-age", "--json", json, "--junit", junit])
        #expect(result.status == 3, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let checks = try #require(document["checks"] as? [[String: Any]])
        let doseCheck = checks.filter { $0["referenceSet"] as? String == "aapm-dose-check-2011" }
        #expect(!doseCheck.isEmpty)
        #expect(doseCheck.allSatisfy { $0["level"] as? String == "notification" })
        // The neonate chest (32 cm, 0.6 mGy) against the pediatric torso value of 10 mGy on 32 cm.
        let neonate = try #require(doseCheck.first { $0["protocol"] as? String == "Neonate Chest" && $0["limit"] as? Double == 10 })
        #expect(neonate["verdict"] as? String == "pass")
        #expect(abs((neonate["marginPercent"] as? Double ?? 0) - 94) < 0.05)
        #expect(!result.stdout.contains("mGy.cm"), "\(result.stdout)")
        #expect(checks.filter { $0["quantity"] as? String == "DLP" }.allSatisfy { $0["unit"] as? String == "mGy·cm" })
        let unique = try ProcessRunner.run("python3", ["-c", """
            import sys, xml.etree.ElementTree as ET
            for suite in ET.parse(sys.argv[1]).getroot().findall('testsuite'):
                names = [c.get('name') for c in suite.findall('testcase')]
                assert len(names) == len(set(names)), suite.get('name') + ': ' + repr(sorted(n for n in names if names.count(n) > 1))
            """, junit])
        #expect(unique.status == 0, "\(unique.stderr)")
    }

    /// Every problem of a sheet row is said (an inverted band went unmentioned
    /// behind the first error), and a typo in --sets is blamed on --sets.
    @Test func everyProblemOfASheetRowIsSaidAndSetTyposAreBlamedOnTheOption() throws {
        let sheet = Self.temporary("bad.csv")
        try """
            protocol,region,contrast,phantom,band_variable,band_lower,band_upper,expected_ctdivol,expected_dlp
            Bad Row,chest,,24,ageYears,5,1,-2,
            """.write(toFile: sheet, atomically: true, encoding: .utf8)
        let result = try Self.validate(["--protocols", sheet])
        #expect(result.status == 2)
        for problem in ["phantom must be 16 or 32 (cm), not '24'", "band_upper 1 is not above band_lower 5: the band is empty or inverted",
                        "expected_ctdivol must be a positive number of mGy, not '-2'"] {
            #expect(result.stderr.contains("\(sheet):2: \(problem)"), "\(problem)\n\(result.stderr)")
        }
        let typo = try Self.validate(["--protocols", Self.sheet, "--sets", "us-acr-kanal2022-ag"])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("--sets: reference set 'us-acr-kanal2022-ag' not found"), "\(typo.stderr)")
        #expect(!typo.stderr.contains("doseaudit.yaml"))
    }
}
