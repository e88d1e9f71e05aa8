public import StructuredReport

extension CTRadiationDoseReport {
    /// Decodes a CT dose report from a DICOM object read by any reader.
    ///
    /// Strict where a report is unusable without the thing (the object must be
    /// an SR whose root is 113701 with at least one CT Acquisition), lenient
    /// everywhere else: each deviation becomes a `ParseNote` and decoding goes
    /// on. Concepts are matched by (scheme, code), legacy codes accepted.
    public init(decoding object: DICOMObject) throws(DoseReportRejection) {
        var decoder = DoseReportDecoder(object: object)
        self = try decoder.decode()
    }
}

struct DoseReportDecoder {
    let object: DICOMObject
    var notes = ParseNotes()

    init(object: DICOMObject) {
        self.object = object
    }

    mutating func decode() throws(DoseReportRejection) -> CTRadiationDoseReport {
        let header = object.header
        let root = try classify()
        guard let sopInstanceUID = header.sopInstanceUID, !sopInstanceUID.isEmpty else {
            throw .missingSOPInstanceUID
        }
        noteDocumentLevel(root)

        let device = decodeDevice(root)
        let irradiationStart = root.child(named: DCM.startOfXRayIrradiation)?.dateTimeValue
        let irradiationEnd = root.child(named: DCM.endOfXRayIrradiation)?.dateTimeValue
        if irradiationStart == nil || irradiationEnd == nil {
            notes.add(.missingIrradiationTimes, "Start or End of X-Ray Irradiation (113809/113810) missing")
        }
        let events = decodeEvents(root)
        let accumulated = decodeAccumulated(root, eventCount: events.count)
        let eventDLP = events.compactMap(\.dose?.dlp?.value).reduce(0, +)
        if let total = accumulated.dlpTotal?.value, !events.isEmpty,
            abs(total - eventDLP) > max(0.5, 0.01 * total)
        {
            notes.add(
                .dlpTotalMismatch,
                "CT Dose Length Product Total \(format(total)) mGy·cm differs from the sum of event DLPs \(format(eventDLP)) mGy·cm"
            )
        }
        let patient = decodePatient(root, irradiationStart: irradiationStart)

        var scope: AccumulationScope?
        if let scopeItem = root.child(named: DCM.scopeOfAccumulation) {
            let uid = scopeItem.children.lazy.compactMap(\.uidValue).first
                ?? root.children.first { $0.uidValue != nil && $0.concept?.value == "110180" }?.uidValue
            scope = AccumulationScope(scope: scopeItem.codeValue, uid: uid)
        }

        return CTRadiationDoseReport(
            sopClassUID: header.sopClassUID ?? "",
            sopInstanceUID: sopInstanceUID,
            templateIdentifier: object.templateIdentifier,
            transferSyntaxUID: object.transferSyntaxUID,
            study: StudyInfo(
                studyInstanceUID: header.studyInstanceUID,
                accessionNumber: header.accessionNumber,
                studyDate: header.studyDate,
                studyTime: header.studyTime,
                studyDescription: header.studyDescription,
                institutionName: header.institutionName,
                stationName: header.stationName
            ),
            device: device,
            patient: patient,
            irradiationStart: irradiationStart,
            irradiationEnd: irradiationEnd,
            scope: scope,
            accumulated: accumulated,
            events: events,
            sourcesOfDoseInformation: root.children(named: DCM.sourceOfDoseInformation).compactMap(\.codeValue),
            comment: root.child(named: DCM.comment)?.textValue,
            notes: notes.notes
        )
    }

    // MARK: - What kind of object is this?

    /// Returns the SR root of a CT dose report or throws the named reason it is not one.
    func classify() throws(DoseReportRejection) -> ContentItem {
        let header = object.header
        let sopClass = header.sopClassUID
        if object.hasPixelData || isImageClass(sopClass) {
            throw .image(sopClassUID: sopClass, legacyDoseScreen: isLegacyDoseScreen())
        }
        guard let sopClass, SOPClass.structuredReports.contains(sopClass) else {
            throw .unsupportedSOPClass(sopClass)
        }
        guard let root = object.content, let title = root.concept, title.matches(DCM.xRayRadiationDoseReport) else {
            if sopClass == SOPClass.radiopharmaceuticalRadiationDoseSR || object.content?.concept?.value == "113500" {
                throw .radiopharmaceuticalDoseReport
            }
            throw .notADoseReport(rootConcept: object.content?.concept)
        }
        if object.templateIdentifier == "10001" { throw .projectionXRayDoseReport }
        if let procedure = root.child(named: DCM.procedureReported)?.codeValue,
            procedure.matches(DCM.projectionXRay) || procedure.matches(CodedConcept("71651007", "SCT"))
                || procedure.matches(CodedConcept("P5-40010", "SRT"))
        {
            throw .projectionXRayDoseReport
        }
        // The common case is a direct child; search deeper only when it is not.
        if root.child(named: DCM.ctAcquisition) == nil && root.countDescendants(named: DCM.ctAcquisition) == 0 {
            if root.child(named: DCM.accumulatedXRayDoseData) != nil
                || root.child(named: DCM.irradiationEventXRayData) != nil
            {
                throw .projectionXRayDoseReport
            }
            throw .noIrradiationEvents
        }
        return root
    }

    func isImageClass(_ sopClass: String?) -> Bool {
        guard let sopClass else { return false }
        // Image storage classes live under 1.2.840.10008.5.1.4.1.1 and are not SR (88.x).
        return sopClass.hasPrefix("1.2.840.10008.5.1.4.1.1.") && !sopClass.hasPrefix("1.2.840.10008.5.1.4.1.1.88.")
    }

    func isLegacyDoseScreen() -> Bool {
        let header = object.header
        let imageType = header.imageType?.uppercased() ?? ""
        let series = header.seriesDescription?.lowercased() ?? ""
        return imageType.contains("DOSE") || series.contains("dose")
            || (header.sopClassUID == SOPClass.secondaryCaptureImage && header.modality == "CT"
                && header.seriesDescription == nil)
    }

    // MARK: - Document level

    mutating func noteDocumentLevel(_ root: ContentItem) {
        switch object.templateIdentifier {
        case nil, "": notes.add(.missingTemplateIdentifier, "no Content Template Sequence identifying TID 10011")
        case "10011": break
        case let other?:
            notes.add(.unexpectedTemplateIdentifier, "Content Template Sequence names TID \(other), read as TID 10011")
        }
        if let procedure = root.child(named: DCM.procedureReported) {
            if let code = procedure.codeValue { noteLegacy(code, location: "Procedure reported") }
            if procedure.child(named: SCT.hasIntent) == nil {
                notes.add(.missingHasIntent, "Procedure reported (121058) has no Has Intent (363703001) modifier")
            }
        } else {
            notes.add(.missingProcedureReported, "no Procedure reported (121058) concept modifier")
        }
        let charset = object.characterSet
        let declared = object.header.specificCharacterSet ?? "(none)"
        if charset.utf8DeclaredAsOther {
            notes.add(.characterSetMismatch, "text is UTF-8 but Specific Character Set is \(declared); read as UTF-8")
        }
        if charset.invalidUTF8 {
            notes.add(.invalidUTF8, "text declared UTF-8 has invalid byte sequences; replaced with U+FFFD")
        }
        if charset.conversionFailed {
            notes.add(.characterSetConversionFailed, "text in character set \(declared) could not be converted; shown as raw bytes")
        }
        if object.itemsWithExtraSequenceItems > 0 {
            notes.add(
                .extraSequenceItems,
                "\(object.itemsWithExtraSequenceItems) content items have a code or value sequence with more than one item; the first was used"
            )
        }
        if object.itemsBeyondDepthLimit > 0 {
            notes.add(
                .contentNestedTooDeeply,
                "\(object.itemsBeyondDepthLimit) content items nested deeper than the reader's limit were not read"
            )
        }
    }

    mutating func noteLegacy(_ code: CodedConcept, location: @autoclosure () -> String) {
        guard LegacyCodes.isLegacy(code) else { return }
        notes.add(
            .legacyCode, key: code.scheme + "|" + code.value,
            "legacy code \(code) read as \(LegacyCodes.canonical(code))", location: location()
        )
    }

    mutating func decodeDevice(_ root: ContentItem) -> DeviceInfo {
        let header = object.header
        let observerUID = root.child(named: DCM.deviceObserverUID)?.uidValue
        if observerUID?.isEmpty ?? true {
            notes.add(.missingDeviceObserverUID, "no Device Observer UID (121012); the scanner is identified by manufacturer, model and serial number")
        }
        func text(_ concept: CodedConcept) -> String? {
            guard let value = root.child(named: concept)?.textValue, !value.isEmpty else { return nil }
            return value
        }
        return DeviceInfo(
            observerUID: observerUID,
            observerName: text(DCM.deviceObserverName) ?? header.stationName,
            manufacturer: text(DCM.deviceObserverManufacturer) ?? header.manufacturer,
            modelName: text(DCM.deviceObserverModelName) ?? header.manufacturerModelName,
            serialNumber: text(DCM.deviceObserverSerialNumber) ?? header.deviceSerialNumber,
            physicalLocation: text(DCM.deviceObserverPhysicalLocation),
            softwareVersions: header.softwareVersions
        )
    }

    mutating func decodePatient(_ root: ContentItem, irradiationStart: String?) -> PatientInfo {
        let header = object.header
        var patient = PatientInfo()
        patient.patientID = header.patientID
        patient.issuerOfPatientID = header.issuerOfPatientID
        patient.sex = header.patientSex.flatMap { $0.isEmpty ? nil : $0 }
        patient.birthDate = header.patientBirthDate.flatMap { $0.isEmpty ? nil : $0 }

        if let text = header.patientAge, !text.isEmpty {
            if let (age, conforming) = PatientAge.parse(text) {
                patient.age = age
                if !conforming {
                    notes.add(.nonConformingPatientAge, "Patient's Age '\(text)' is not of the form nnnD/W/M/Y; read as \(age.ageString)")
                }
            } else {
                notes.add(.invalidPatientAge, "Patient's Age '\(text)' is not a DICOM age string; ignored")
            }
        }
        if let age = patient.age, age.years > 120 {
            notes.add(.implausiblePatientAge, "Patient's Age \(age.ageString) is above 120 years; ignored")
            patient.age = nil
        }
        let ageDate = [header.studyDate, header.contentDate, irradiationStart.map { String($0.prefix(8)) }]
            .compactMap { $0 }.first { !$0.isEmpty }
        if let stated = patient.age, let birth = patient.birthDate, let ageDate, let computed = PatientAge.from(birthDate: birth, studyDate: ageDate),
           abs(computed.years - stated.years) >= 1
        {
            // The stated age is what the scanner used; the disagreement is named, never resolved silently.
            notes.add(.patientAgeContradictsBirthDate, "Patient's Age \(stated.ageString) contradicts the birth date, which gives \(computed.ageString) at the study; the stated age is used")
        }
        if patient.age == nil, let birth = patient.birthDate {
            let studyDate = ageDate
            if let studyDate, let age = PatientAge.from(birthDate: birth, studyDate: studyDate) {
                patient.age = age
                notes.add(.patientAgeFromBirthDate, "no Patient's Age; computed \(age.ageString) from birth date and study date")
            }
        }
        if patient.age == nil, let subjectAge = root.child(named: DCM.subjectAge)?.numericValue,
            let value = DecimalString.strictValue(subjectAge.text.trimmingSpaces), (0...200).contains(value)
        {
            let unit: PatientAge.Unit? = switch subjectAge.unit?.value {
            case "a": .years
            case "mo": .months
            case "wk": .weeks
            case "d": .days
            default: nil
            }
            if let unit { patient.age = PatientAge(value: Int(value), unit: unit, source: .subjectContext) }
        }

        if let text = header.patientSize, let size = parseDecimal(text, name: "Patient's Size", location: "patient") {
            if size <= 0 || size > 3 {
                notes.add(.implausiblePatientSize, "Patient's Size \(text) m is not a plausible height in metres; ignored")
            } else {
                patient.sizeMetres = size
            }
        }
        if let text = header.patientWeight, let weight = parseDecimal(text, name: "Patient's Weight", location: "patient") {
            if weight <= 0 || weight > 500 {
                notes.add(.implausiblePatientWeight, "Patient's Weight \(text) kg is not a plausible weight; ignored")
            } else {
                patient.weightKg = weight
            }
        }
        return patient
    }
}
