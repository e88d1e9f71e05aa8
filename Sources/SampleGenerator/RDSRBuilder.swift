import DICOMEncoding

/// Builds a CT Radiation Dose SR (TID 10011) dataset from a sample case, the
/// way a conforming scanner writes one, plus the deliberate vendor-like
/// deviations a case asks for.
struct RDSRBuilder {
    let sample: SampleCase

    static let uidRoot = "2.25.221782963418504615112730937592146"

    static func c(_ value: String, _ scheme: String, _ meaning: String) -> Concept { Concept(value, scheme, meaning) }
    static let yes = c("373066001", "SCT", "Yes")
    static let no = c("373067005", "SCT", "No")

    var sopInstanceUID: String { "\(Self.uidRoot).\(sample.number).3" }
    var studyInstanceUID: String { "\(Self.uidRoot).\(sample.number).1" }
    func eventUID(_ index: Int) -> String { "\(Self.uidRoot).\(sample.number).4.\(index + 1)" }

    func file() -> [UInt8] {
        DICOMEncoder.file(
            dataset: dataset(),
            sopClassUID: "1.2.840.10008.5.1.4.1.1.88.67",
            sopInstanceUID: sopInstanceUID,
            transferSyntax: sample.implicitVR ? .implicitVRLittleEndian : .explicitVRLittleEndian
        )
    }

    func dataset() -> [DataElement] {
        let p = sample.patient
        var elements: [DataElement] = [
            DataElement(0x0008, 0x0005, "CS", sample.characterSet),
            DataElement(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.88.67"),
            DataElement(0x0008, 0x0018, "UI", sopInstanceUID),
            DataElement(0x0008, 0x0020, "DA", sample.studyDate),
            DataElement(0x0008, 0x0023, "DA", sample.studyDate),
            DataElement(0x0008, 0x0030, "TM", sample.studyTime),
            DataElement(0x0008, 0x0033, "TM", sample.endTime),
            DataElement(0x0008, 0x0050, "SH", sample.accession),
            DataElement(0x0008, 0x0060, "CS", "SR"),
            DataElement(0x0008, 0x0070, "LO", sample.device.manufacturer),
            DataElement(0x0008, 0x0080, "LO", sample.institution),
            DataElement(0x0008, 0x0090, "PN", ""),
            DataElement(0x0008, 0x1010, "SH", sample.device.station),
            DataElement(0x0008, 0x1030, "LO", sample.studyDescription),
            DataElement(0x0008, 0x103E, "LO", "Dose Report"),
            DataElement(0x0008, 0x1090, "LO", sample.device.model),
            DataElement(0x0008, 0x1111, items: []),
            DataElement(0x0010, 0x0010, "PN", p.name),
            DataElement(0x0010, 0x0020, "LO", p.id),
            DataElement(0x0010, 0x0030, "DA", p.birthDate),
            DataElement(0x0010, 0x0040, "CS", p.sex),
            DataElement(0x0018, 0x1000, "LO", sample.device.serial),
            DataElement(0x0018, 0x1020, "LO", sample.device.software),
            DataElement(0x0020, 0x000D, "UI", studyInstanceUID),
            DataElement(0x0020, 0x000E, "UI", "\(Self.uidRoot).\(sample.number).2"),
            DataElement(0x0020, 0x0010, "SH", "S\(sample.number)"),
            DataElement(0x0020, 0x0011, "IS", "997"),
            DataElement(0x0020, 0x0013, "IS", "1"),
            DataElement(0x0040, 0xA040, "CS", "CONTAINER"),
            DataElement(0x0040, 0xA043, items: [Self.c("113701", "DCM", "X-Ray Radiation Dose Report").item]),
            DataElement(0x0040, 0xA050, "CS", "SEPARATE"),
            DataElement(0x0040, 0xA372, items: []),
            DataElement(0x0040, 0xA491, "CS", "COMPLETE"),
            DataElement(0x0040, 0xA493, "CS", "UNVERIFIED"),
            DataElement(0x0040, 0xA730, items: content().map(\.encoded)),
        ]
        if let age = p.age { elements.append(DataElement(0x0010, 0x1010, "AS", age)) }
        if let size = p.sizeMetres { elements.append(DataElement(0x0010, 0x1020, "DS", size)) }
        if let weight = p.weightKg { elements.append(DataElement(0x0010, 0x1030, "DS", weight)) }
        if !sample.quirks.contains(.noTemplateIdentifier) {
            elements.append(DataElement(0x0040, 0xA504, items: [[
                DataElement(0x0008, 0x0105, "CS", "DCMR"), DataElement(0x0040, 0xDB00, "CS", "10011"),
            ]]))
        }
        return elements
    }

    private func content() -> [SRItem] {
        let c = Self.c
        let quirks = sample.quirks
        let procedureChildren: [SRItem] = quirks.contains(.noHasIntent) ? [] : [
            .code("HAS CONCEPT MOD", c("363703001", "SCT", "Has Intent"), c("261004008", "SCT", "Diagnostic Intent")),
        ]
        let procedureCode = quirks.contains(.legacyCodes)
            ? c("P5-08000", "SRT", "Computed Tomography X-Ray") : c("77477000", "SCT", "Computed Tomography X-Ray")
        var items: [SRItem] = [
            .code("HAS CONCEPT MOD", c("121058", "DCM", "Procedure reported"), procedureCode, procedureChildren),
            .code("HAS OBS CONTEXT", c("121005", "DCM", "Observer Type"), c("121007", "DCM", "Device")),
            .uidref("HAS OBS CONTEXT", c("121012", "DCM", "Device Observer UID"), sample.device.observerUID),
            .text("HAS OBS CONTEXT", c("121013", "DCM", "Device Observer Name"), sample.device.station),
            .text("HAS OBS CONTEXT", c("121014", "DCM", "Device Observer Manufacturer"), sample.device.manufacturer),
            .text("HAS OBS CONTEXT", c("121015", "DCM", "Device Observer Model Name"), sample.device.model),
            .text("HAS OBS CONTEXT", c("121016", "DCM", "Device Observer Serial Number"), sample.device.serial),
            .datetime("HAS OBS CONTEXT", c("113809", "DCM", "Start of X-Ray Irradiation"), sample.studyDate + sample.studyTime),
            .datetime("HAS OBS CONTEXT", c("113810", "DCM", "End of X-Ray Irradiation"), sample.studyDate + sample.endTime),
            .code("HAS OBS CONTEXT", c("113705", "DCM", "Scope of Accumulation"), c("113014", "DCM", "Study"), [
                .uidref("HAS PROPERTIES", c("110180", "DCM", "Study Instance UID"), studyInstanceUID),
            ]),
        ]
        let dlpUnit = quirks.contains(.nonStandardDLPUnit) ? UCUM.unit("mGycm", "mGycm") : UCUM.mGycm
        var accumulated: [SRItem] = [
            .num("CONTAINS", c("113812", "DCM", "Total Number of Irradiation Events"), String(sample.events.count), UCUM.events),
            .num("CONTAINS", c("113813", "DCM", "CT Dose Length Product Total"), sample.totalDLPText, dlpUnit),
        ]
        for (phantom, dlp) in sample.dlpSubTotals {
            accumulated.append(.num("CONTAINS", c("130745", "DCM", "CT Dose Length Product Sub-Total"), dlp, dlpUnit, [
                .code("HAS PROPERTIES", c("113835", "DCM", "CTDIw Phantom Type"), phantom.concept),
            ]))
        }
        items.append(.container("CONTAINS", c("113811", "DCM", "CT Accumulated Dose Data"), accumulated))
        for (index, event) in sample.events.enumerated() {
            items.append(eventItem(event, index: index, dlpUnit: dlpUnit))
        }
        items.append(.code("CONTAINS", c("113854", "DCM", "Source of Dose Information"), c("113856", "DCM", "Automated Data Collection")))
        return items
    }

    private func eventItem(_ event: SampleEvent, index: Int, dlpUnit: Concept) -> SRItem {
        let c = Self.c
        let quirks = sample.quirks
        var parameters: [SRItem] = [
            .num("CONTAINS", c("113824", "DCM", "Exposure Time"), event.exposureTime, UCUM.s),
            .num("CONTAINS", c("113825", "DCM", "Scanning Length"), event.scanningLength, UCUM.mm),
            .num("CONTAINS", c("113826", "DCM", "Nominal Single Collimation Width"), event.singleCollimation, UCUM.mm),
            .num("CONTAINS", c("113827", "DCM", "Nominal Total Collimation Width"), event.totalCollimation, UCUM.mm),
        ]
        if let pitch = event.pitch {
            parameters.append(.num("CONTAINS", c("113828", "DCM", "Pitch Factor"), pitch, UCUM.ratio))
        }
        parameters.append(.num("CONTAINS", c("113823", "DCM", "Number of X-Ray Sources"), "1", UCUM.sources))
        var source: [SRItem] = [
            .text("CONTAINS", c("113832", "DCM", "Identification of the X-Ray Source"), "A"),
            .num("CONTAINS", c("113733", "DCM", "KVP"), event.kvp, UCUM.kV),
            .num("CONTAINS", c("113833", "DCM", "Maximum X-Ray Tube Current"), event.maxMA, UCUM.mA),
            .num("CONTAINS", c("113734", "DCM", "X-Ray Tube Current"), event.mA, UCUM.mA),
        ]
        if event.type != .constantAngle {
            source.append(.num("CONTAINS", c("113834", "DCM", "Exposure Time per Rotation"), event.rotationTime, UCUM.s))
        }
        parameters.append(.container("CONTAINS", c("113831", "DCM", "CT X-Ray Source Parameters"), source))

        let uidConcept = quirks.contains(.retiredEventUIDCode)
            ? c("113853", "DCM", "Irradiation Event UID") : c("113769", "DCM", "Irradiation Event UID")
        var children: [SRItem] = [
            .text("CONTAINS", c("125203", "DCM", "Acquisition Protocol"), event.protocolName),
            .code("CONTAINS", c("123014", "DCM", "Target Region"), quirks.contains(.emptyTargetRegion) ? nil : event.region.concept(legacy: quirks.contains(.legacyCodes))),
            .code("CONTAINS", c("113820", "DCM", "CT Acquisition Type"), event.type.concept(legacy: quirks.contains(.legacyCodes))),
        ]
        if let context = event.procedureContext {
            children.append(.code("CONTAINS", c("408730004", "SCT", "Procedure Context"), context))
        }
        children.append(.uidref("CONTAINS", uidConcept, eventUID(index)))
        children.append(.container("CONTAINS", c("113822", "DCM", "CT Acquisition Parameters"), parameters))
        if let dose = event.dose {
            var doseItems: [SRItem] = [
                .num("CONTAINS", c("113830", "DCM", "Mean CTDIvol"), dose.ctdivol, UCUM.mGy),
                .code("CONTAINS", c("113835", "DCM", "CTDIw Phantom Type"), dose.phantom.concept),
                .num("CONTAINS", c("113838", "DCM", "DLP"), dose.dlp, dlpUnit),
            ]
            if let ssde = dose.ssde { doseItems.append(ssde.item) }
            if let check = event.doseCheck { doseItems += check.items() }
            children.append(.container("CONTAINS", c("113829", "DCM", "CT Dose"), doseItems))
        }
        if let modulation = event.modulation {
            children.append(.text("CONTAINS", c("113842", "DCM", "X-Ray Modulation Type"), modulation))
        }
        return .container("CONTAINS", c("113819", "DCM", "CT Acquisition"), children)
    }
}
