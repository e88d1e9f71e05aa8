import Testing
import DCMTKBridge
import StructuredReport

@Test func probe() throws {
    for f in ["CT-RDSR-Toshiba_DoseCheck.dcm","CT-ESR-GE_VCT.dcm","CT-SC-Philips_Brilliance16P.dcm","ESR_non-dose.dcm"] {
        let o = try DICOMReader.read(contentsOf: "../shared/corpus/openrem/" + f)
        print(f, o.header.sopClassUID ?? "-", o.templateIdentifier ?? "-", o.content?.concept?.description ?? "-", o.content?.descendantCount ?? 0, o.transferSyntaxUID ?? "", o.header.patientAge ?? "nil")
    }
}
