internal import CDCMTKShim
import StructuredReport

/// Turns the shim's flat records into a `DICOMObject`, decoding text by the
/// declared character set. Lives only for the duration of one read.
struct DocumentConverter {
    private let document: CDCMTKShim_Document
    private let pool: UnsafeBufferPointer<UInt8>
    private let fields: [CDCMTKShim_Text]
    private var textDecoder: TextDecoder

    init(_ document: CDCMTKShim_Document) {
        self.document = document
        self.pool = UnsafeBufferPointer(
            start: UnsafeRawPointer(document.pool).assumingMemoryBound(to: UInt8.self),
            count: document.poolSize
        )
        self.fields = withUnsafeBytes(of: document.header) { Array($0.bindMemory(to: CDCMTKShim_Text.self)) }
        let charsetText = Self.slice(pool, fields[Int(CDCMTKShim_SpecificCharacterSet.rawValue)])
        let declared = String(decoding: charsetText ?? UnsafeBufferPointer(start: nil, count: 0), as: UTF8.self)
        self.textDecoder = TextDecoder(
            declaredCharacterSet: declared,
            convertedByDCMTK: document.flags & UInt32(CDCMTKShim_DocConvertedToUTF8) != 0
        )
    }

    mutating func object() -> DICOMObject {
        var header = DICOMHeader()
        header.sopClassUID = string(fields[Int(CDCMTKShim_SOPClassUID.rawValue)])
        header.sopInstanceUID = string(fields[Int(CDCMTKShim_SOPInstanceUID.rawValue)])
        header.modality = string(fields[Int(CDCMTKShim_Modality.rawValue)])
        header.studyInstanceUID = string(fields[Int(CDCMTKShim_StudyInstanceUID.rawValue)])
        header.seriesInstanceUID = string(fields[Int(CDCMTKShim_SeriesInstanceUID.rawValue)])
        header.studyDate = string(fields[Int(CDCMTKShim_StudyDate.rawValue)])
        header.studyTime = string(fields[Int(CDCMTKShim_StudyTime.rawValue)])
        header.contentDate = string(fields[Int(CDCMTKShim_ContentDate.rawValue)])
        header.contentTime = string(fields[Int(CDCMTKShim_ContentTime.rawValue)])
        header.accessionNumber = string(fields[Int(CDCMTKShim_AccessionNumber.rawValue)])
        header.studyDescription = string(fields[Int(CDCMTKShim_StudyDescription.rawValue)])
        header.seriesDescription = string(fields[Int(CDCMTKShim_SeriesDescription.rawValue)])
        header.institutionName = string(fields[Int(CDCMTKShim_InstitutionName.rawValue)])
        header.stationName = string(fields[Int(CDCMTKShim_StationName.rawValue)])
        header.manufacturer = string(fields[Int(CDCMTKShim_Manufacturer.rawValue)])
        header.manufacturerModelName = string(fields[Int(CDCMTKShim_ManufacturerModelName.rawValue)])
        header.deviceSerialNumber = string(fields[Int(CDCMTKShim_DeviceSerialNumber.rawValue)])
        header.softwareVersions = string(fields[Int(CDCMTKShim_SoftwareVersions.rawValue)])
        header.patientID = string(fields[Int(CDCMTKShim_PatientID.rawValue)])
        header.issuerOfPatientID = string(fields[Int(CDCMTKShim_IssuerOfPatientID.rawValue)])
        header.patientBirthDate = string(fields[Int(CDCMTKShim_PatientBirthDate.rawValue)])
        header.patientSex = string(fields[Int(CDCMTKShim_PatientSex.rawValue)])
        header.patientAge = string(fields[Int(CDCMTKShim_PatientAge.rawValue)])
        header.patientSize = string(fields[Int(CDCMTKShim_PatientSize.rawValue)])
        header.patientWeight = string(fields[Int(CDCMTKShim_PatientWeight.rawValue)])
        header.specificCharacterSet = string(fields[Int(CDCMTKShim_SpecificCharacterSet.rawValue)])
        header.completionFlag = string(fields[Int(CDCMTKShim_CompletionFlag.rawValue)])
        header.verificationFlag = string(fields[Int(CDCMTKShim_VerificationFlag.rawValue)])
        header.imageType = string(fields[Int(CDCMTKShim_ImageType.rawValue)])

        let records = UnsafeBufferPointer(start: document.items, count: document.itemCount)
        let root = records.isEmpty ? nil : tree(records)
        let extraItems = records.reduce(0) { $0 + ($1.flags & UInt32(CDCMTKShim_ItemExtraSequenceItems) != 0 ? 1 : 0) }
        let flags = document.flags
        var charset = textDecoder.report
        charset.convertedByDCMTK = flags & UInt32(CDCMTKShim_DocConvertedToUTF8) != 0
        charset.conversionFailed = flags & UInt32(CDCMTKShim_DocCharsetConversionFailed) != 0
        var object = DICOMObject(
            header: header,
            content: root,
            templateIdentifier: records.first.flatMap { string($0.templateIdentifier) },
            templateMappingResource: records.first.flatMap { string($0.mappingResource) },
            transferSyntaxUID: string(document.transferSyntaxUID),
            hasFileMetaInformation: flags & UInt32(CDCMTKShim_DocHasMetaHeader) != 0,
            hasPixelData: flags & UInt32(CDCMTKShim_DocHasPixelData) != 0,
            itemsBeyondDepthLimit: document.itemsBeyondDepthLimit,
            characterSet: charset
        )
        object.itemsWithExtraSequenceItems = extraItems
        return object
    }

    /// Records are in preorder with parent indices, so every child has a
    /// larger index than its parent: building from the end, each node's
    /// children are complete before the node itself. Linear, no recursion.
    private mutating func tree(_ records: UnsafeBufferPointer<CDCMTKShim_ContentItem>) -> ContentItem {
        var childIndices = [[Int]](repeating: [], count: records.count)
        for index in 1..<max(records.count, 1) {
            let parent = Int(records[index].parent)
            if parent >= 0 && parent < index { childIndices[parent].append(index) }
        }
        var built = [ContentItem?](repeating: nil, count: records.count)
        for index in stride(from: records.count - 1, through: 0, by: -1) {
            let children = childIndices[index].map { child in
                defer { built[child] = nil }
                return built[child]!
            }
            built[index] = node(records[index], isRoot: index == 0, children: children)
        }
        return built[0]!
    }

    private mutating func node(_ record: CDCMTKShim_ContentItem, isRoot: Bool, children: [ContentItem]) -> ContentItem {
        let valueType = string(record.valueType) ?? ""
        let value: ContentValue
        switch valueType {
        case "CONTAINER":
            value = .container(continuity: string(record.continuity))
        case "NUM":
            let measured = string(record.numericValue).map { NumericValue(text: $0, unit: code(record.unit)) }
            value = .numeric(measured, qualifier: code(record.qualifier))
        case "CODE": value = .code(code(record.conceptCode))
        case "TEXT": value = .text(string(record.value) ?? "")
        case "UIDREF": value = .uidReference(string(record.value) ?? "")
        case "DATETIME": value = .dateTime(string(record.value) ?? "")
        case "DATE": value = .date(string(record.value) ?? "")
        case "TIME": value = .time(string(record.value) ?? "")
        case "PNAME": value = .personName(string(record.value) ?? "")
        case "COMPOSITE", "IMAGE", "WAVEFORM":
            value = .reference(
                valueType: valueType,
                sopClassUID: string(record.referencedSOPClass),
                sopInstanceUID: string(record.referencedSOPInstance)
            )
        default: value = .other(valueType: valueType)
        }
        let flags = record.flags
        return ContentItem(
            relationship: isRoot ? nil : string(record.relationship).map(RelationshipType.init(dicom:)),
            concept: code(record.conceptName),
            value: value,
            observationDateTime: string(record.observationDateTime),
            isByReference: flags & UInt32(CDCMTKShim_ItemByReference) != 0,
            hadExtraSequenceItems: flags & UInt32(CDCMTKShim_ItemExtraSequenceItems) != 0,
            childrenCut: flags & UInt32(CDCMTKShim_ItemChildrenCut) != 0,
            children: children
        )
    }

    private mutating func code(_ code: CDCMTKShim_Code) -> CodedConcept? {
        guard code.state == 2 else { return nil }
        return CodedConcept(
            string(code.value) ?? "",
            string(code.scheme) ?? "",
            string(code.meaning) ?? "",
            version: string(code.version)
        )
    }

    private mutating func string(_ text: CDCMTKShim_Text) -> String? {
        guard let bytes = Self.slice(pool, text) else { return nil }
        return textDecoder.decode(bytes)
    }

    private static func slice(_ pool: UnsafeBufferPointer<UInt8>, _ text: CDCMTKShim_Text) -> UnsafeBufferPointer<UInt8>? {
        guard text.present != 0 else { return nil }
        let start = Int(text.offset)
        let end = start + Int(text.length)
        guard end <= pool.count else { return nil }
        return UnsafeBufferPointer(rebasing: pool[start..<end])
    }
}
