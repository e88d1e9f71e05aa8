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
    private func classify() throws(DoseReportRejection) -> ContentItem {
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

    private func isImageClass(_ sopClass: String?) -> Bool {
        guard let sopClass else { return false }
        // Image storage classes live under 1.2.840.10008.5.1.4.1.1 and are not SR (88.x).
        return sopClass.hasPrefix("1.2.840.10008.5.1.4.1.1.") && !sopClass.hasPrefix("1.2.840.10008.5.1.4.1.1.88.")
    }

    private func isLegacyDoseScreen() -> Bool {
        let header = object.header
        let imageType = header.imageType?.uppercased() ?? ""
        let series = header.seriesDescription?.lowercased() ?? ""
        return imageType.contains("DOSE") || series.contains("dose")
            || (header.sopClassUID == SOPClass.secondaryCaptureImage && header.modality == "CT"
                && header.seriesDescription == nil)
    }

    // MARK: - Document level

    private mutating func noteDocumentLevel(_ root: ContentItem) {
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

    private mutating func noteLegacy(_ code: CodedConcept, location: @autoclosure () -> String) {
        guard LegacyCodes.isLegacy(code) else { return }
        notes.add(
            .legacyCode, key: code.scheme + "|" + code.value,
            "legacy code \(code) read as \(LegacyCodes.canonical(code))", location: location()
        )
    }

    private mutating func decodeDevice(_ root: ContentItem) -> DeviceInfo {
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

    private mutating func decodePatient(_ root: ContentItem, irradiationStart: String?) -> PatientInfo {
        let header = object.header
        var patient = PatientInfo()
        patient.patientID = header.patientID
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
        if patient.age == nil, let birth = patient.birthDate {
            let studyDate = [header.studyDate, header.contentDate, irradiationStart.map { String($0.prefix(8)) }]
                .compactMap { $0 }.first { !$0.isEmpty }
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

    // MARK: - TID 10012

    private mutating func decodeAccumulated(_ root: ContentItem, eventCount: Int) -> CTAccumulatedDose {
        guard let container = root.child(named: DCM.ctAccumulatedDoseData) else {
            notes.add(.missingAccumulatedDoseData, "no CT Accumulated Dose Data (113811); totals are computed from the events")
            return CTAccumulatedDose(declaredEventCount: nil, dlpTotal: nil, dlpSubTotals: [], effectiveDoseTotal: nil)
        }
        let location = "CT Accumulated Dose Data"
        let declared = quantity(container.child(named: DCM.totalNumberOfIrradiationEvents), .count, location)
            .map { Int($0.value.rounded()) }
        if let declared, declared != eventCount {
            notes.add(.eventCountMismatch, "report declares \(declared) irradiation events (113812) but contains \(eventCount)")
        }
        let total = quantity(container.child(named: DCM.ctDoseLengthProductTotal), .doseLengthProduct, location)
        if total == nil { notes.add(.missingDLPTotal, "no CT Dose Length Product Total (113813)") }
        var subTotals: [DLPSubTotal] = []
        for item in container.children(named: DCM.ctDoseLengthProductSubTotal) {
            guard let dlp = quantity(item, .doseLengthProduct, location) else { continue }
            let phantom = item.child(named: DCM.ctdiwPhantomType)?.codeValue.map(CTDosimetryPhantom.init)
            subTotals.append(DLPSubTotal(dlp: dlp, phantom: phantom))
        }
        return CTAccumulatedDose(
            declaredEventCount: declared,
            dlpTotal: total,
            dlpSubTotals: subTotals,
            effectiveDoseTotal: quantity(container.child(named: DCM.ctEffectiveDoseTotal), .effectiveDose, location)
        )
    }

    // MARK: - TID 10013

    private mutating func decodeEvents(_ root: ContentItem) -> [CTIrradiationEvent] {
        let direct = root.children(named: DCM.ctAcquisition)
        var containers = direct
        let total = root.countDescendants(named: DCM.ctAcquisition)
        if total > direct.count {
            // Keep every event, wherever a vendor nested it.
            containers = root.descendants(named: DCM.ctAcquisition)
            notes.add(.misplacedIrradiationEvent, "\(total - direct.count) CT Acquisition containers are not direct children of the document root; read anyway")
        }
        var seen: Set<String> = []
        var events: [CTIrradiationEvent] = []
        events.reserveCapacity(containers.count)
        for (index, container) in containers.enumerated() {
            let event = decodeEvent(container, number: index + 1)
            if let uid = event.irradiationEventUID, !seen.insert(uid).inserted {
                notes.add(.duplicateIrradiationEventUID, "Irradiation Event UID \(uid) appears more than once in the report", location: "event \(index + 1)")
            }
            events.append(event)
        }
        return events
    }

    private mutating func decodeEvent(_ container: ContentItem, number: Int) -> CTIrradiationEvent {
        let location = "event \(number)"
        var uid = container.child(named: DCM.irradiationEventUID)?.uidValue
        if uid == nil, let retired = container.child(named: DCM.irradiationEventUIDRetired)?.uidValue {
            uid = retired
            notes.add(.retiredIrradiationEventUIDCode, "Irradiation Event UID written with retired code 113853; read as 113769", location: location)
        }
        if uid?.isEmpty ?? true {
            uid = nil
            notes.add(.missingIrradiationEventUID, "CT Acquisition without an Irradiation Event UID (113769); it cannot be matched across reports", location: location)
        }

        var targetRegion: TargetRegion?
        let targetCode: CodedConcept?
        if let item = container.child(named: DCM.targetRegion) {
            targetCode = item.codeValue.flatMap { $0.value.isEmpty ? nil : $0 }
            if let code = targetCode {
                noteLegacy(code, location: location)
                targetRegion = TargetRegion(code)
                if case .other = targetRegion {
                    notes.add(.unknownTargetRegion, "target region \(code) is not a CID 4030 anatomic region", location: location)
                }
            } else {
                notes.add(.emptyTargetRegion, "Target Region (123014) has an empty code", location: location)
            }
        } else {
            targetCode = nil
            notes.add(.missingTargetRegion, "CT Acquisition has no Target Region (123014)", location: location)
        }

        var acquisitionType: CTAcquisitionType?
        let typeCode = container.child(named: DCM.ctAcquisitionType)?.codeValue
        if let typeCode {
            noteLegacy(typeCode, location: location)
            acquisitionType = CTAcquisitionType(typeCode)
            if case .other = acquisitionType {
                notes.add(.unknownAcquisitionType, "CT Acquisition Type \(typeCode) is not in CID 10013", location: location)
            }
        } else {
            notes.add(.missingAcquisitionType, "CT Acquisition has no CT Acquisition Type (113820)", location: location)
        }

        let parameters = decodeParameters(container.child(named: DCM.ctAcquisitionParameters), location: location)
        let doseContainer = container.child(named: DCM.ctDose)
        var dose: CTDose?
        if let doseItem = doseContainer {
            dose = decodeDose(doseItem, location: location)
        } else if container.child(named: DCM.meanCTDIvol) != nil || container.child(named: DCM.dlp) != nil {
            // Dose values written straight under the CT Acquisition: keep them.
            notes.add(.misplacedCTDose, "CTDIvol/DLP are not inside a CT Dose (113829) container; read from the CT Acquisition", location: location)
            dose = decodeDose(container, location: location)
        } else if acquisitionType != .constantAngle {
            notes.add(.missingCTDose, "non-localizer CT Acquisition has no CT Dose (113829) container", location: location)
        }

        // TID 10015 sits in the CT Dose container; some vendors put it beside it.
        let alertItem = doseContainer?.child(named: DCM.doseCheckAlertDetails) ?? container.child(named: DCM.doseCheckAlertDetails)
        let notificationItem = doseContainer?.child(named: DCM.doseCheckNotificationDetails)
            ?? container.child(named: DCM.doseCheckNotificationDetails)
        var doseCheck: CTDoseCheckDetails?
        if alertItem != nil || notificationItem != nil {
            doseCheck = CTDoseCheckDetails(
                alert: alertItem.map { decodeAlert($0, location: location) },
                notification: notificationItem.map { decodeNotification($0, location: location) }
            )
        }

        let comment = container.child(named: DCM.comment)?.textValue
        var modulation = container.child(named: DCM.xRayModulationType)?.textValue
            ?? doseContainer?.child(named: DCM.xRayModulationType)?.textValue
        if modulation == nil, let comment, let parsed = Self.modulationType(fromComment: comment) {
            modulation = parsed
            notes.add(.modulationTypeFromComment, "X-Ray Modulation Type taken from the free-text Comment", location: location)
        }

        return CTIrradiationEvent(
            irradiationEventUID: uid,
            acquisitionProtocol: container.child(named: DCM.acquisitionProtocol)?.textValue,
            targetRegion: targetRegion,
            targetRegionCode: targetCode,
            acquisitionType: acquisitionType,
            acquisitionTypeCode: typeCode,
            procedureContext: container.child(named: SCT.procedureContext)?.codeValue,
            label: container.child(named: DCM.irradiationEventLabel)?.textValue,
            startedAt: container.child(named: DCM.dateTimeStarted)?.dateTimeValue,
            parameters: parameters,
            dose: dose,
            doseCheck: doseCheck,
            modulationType: modulation,
            comment: comment
        )
    }

    /// Siemens writes "... X-ray Modulation Type = Z_EC ..." in the Comment.
    static func modulationType(fromComment comment: String) -> String? {
        let lower = comment.lowercased()
        guard let range = lower.firstRange(of: "modulation type") else { return nil }
        let offset = lower.distance(from: lower.startIndex, to: range.upperBound)
        let tail = comment.dropFirst(offset).drop { (c: Character) in c == " " || c == ":" || c == "=" }
        let value = tail.prefix { (c: Character) in c != ";" && c != "\n" && c != "\r" && c != "," }
            .trimmingSpaces
        return value.isEmpty ? nil : value
    }

    private mutating func decodeParameters(_ item: ContentItem?, location: String) -> CTAcquisitionParameters {
        guard let item else {
            return CTAcquisitionParameters(sources: [])
        }
        let where_ = "\(location)/CT Acquisition Parameters"
        var sources: [CTXRaySourceParameters] = []
        for source in item.children(named: DCM.ctXRaySourceParameters) {
            sources.append(
                CTXRaySourceParameters(
                    identification: source.child(named: DCM.identificationOfTheXRaySource)?.textValue,
                    kvp: quantity(source.child(named: DCM.kvp), .voltage, where_),
                    maximumTubeCurrent: quantity(source.child(named: DCM.maximumXRayTubeCurrent), .current, where_),
                    tubeCurrent: quantity(source.child(named: DCM.xRayTubeCurrent), .current, where_),
                    exposureTimePerRotation: quantity(source.child(named: DCM.exposureTimePerRotation), .time, where_)
                )
            )
        }
        return CTAcquisitionParameters(
            exposureTime: quantity(item.child(named: DCM.exposureTime), .time, where_),
            scanningLength: quantity(item.child(named: DCM.scanningLength), .length, where_),
            lengthOfReconstructableVolume: quantity(item.child(named: DCM.lengthOfReconstructableVolume), .length, where_),
            exposedRange: quantity(item.child(named: DCM.exposedRange), .length, where_),
            nominalSingleCollimationWidth: quantity(item.child(named: DCM.nominalSingleCollimationWidth), .length, where_),
            nominalTotalCollimationWidth: quantity(item.child(named: DCM.nominalTotalCollimationWidth), .length, where_),
            pitchFactor: quantity(item.child(named: DCM.pitchFactor), .ratio, where_),
            numberOfXRaySources: quantity(item.child(named: DCM.numberOfXRaySources), .count, where_)
                .map { Int($0.value.rounded()) },
            sources: sources
        )
    }

    private mutating func decodeDose(_ item: ContentItem, location: String) -> CTDose {
        let where_ = "\(location)/CT Dose"
        let ctdivolItem = item.child(named: DCM.meanCTDIvol)
        let ctdivol = quantity(ctdivolItem, .airKerma, where_)
        if ctdivolItem == nil { notes.add(.missingMeanCTDIvol, "CT Dose has no Mean CTDIvol (113830)", location: location) }
        let dlpItem = item.child(named: DCM.dlp)
        let dlp = quantity(dlpItem, .doseLengthProduct, where_)
        if dlpItem == nil { notes.add(.missingDLP, "CT Dose has no DLP (113838)", location: location) }
        var phantom: CTDosimetryPhantom?
        if let code = item.child(named: DCM.ctdiwPhantomType)?.codeValue {
            phantom = CTDosimetryPhantom(code)
            if case .other = phantom {
                notes.add(.unknownPhantom, "CTDIw phantom \(code) is not a 16 cm, 32 cm or 10 cm CTDI phantom; its CTDIvol is not comparable", location: location)
            }
        } else if ctdivol != nil {
            notes.add(.missingPhantom, "CTDIvol without a CTDIw Phantom Type (113835): the dose cannot be compared with reference levels", location: location)
        }

        var estimates: [ReportedSSDE] = []
        for ssdeItem in item.children(named: DCM.sizeSpecificDoseEstimate) {
            guard let value = quantity(ssdeItem, .airKerma, where_) else { continue }
            let methodCode = ssdeItem.child(named: SCT.measurementMethod)?.codeValue
            let method = methodCode.map(SSDEMethod.init)
            if case .other(let code)? = method {
                notes.add(.unknownSSDEMethod, "SSDE method \(code) is not in CID 10023", location: location)
            }
            estimates.append(ReportedSSDE(value: value, method: method, methodCode: methodCode))
        }

        // Dimensions belong under the SSDE item but vendors also put them
        // beside it: look under each SSDE, then in the CT Dose container.
        let ssdeItems = item.children(named: DCM.sizeSpecificDoseEstimate)
        func first(_ concept: CodedConcept) -> ContentItem? {
            for ssde in ssdeItems { if let found = ssde.child(named: concept) { return found } }
            return item.child(named: concept)
        }
        let wedItem = first(DCM.waterEquivalentDiameter)
        var size = ReportedPatientSize(
            lateralDimension: quantity(first(DCM.measuredLateralDimension), .length, where_),
            apDimension: quantity(first(DCM.measuredAPDimension), .length, where_),
            effectiveDiameter: quantity(first(DCM.derivedEffectiveDiameter), .length, where_),
            waterEquivalentDiameter: quantity(wedItem, .length, where_),
            waterEquivalentDiameterMethod: wedItem?.child(named: SCT.measurementMethod)?.codeValue
        )
        if size.waterEquivalentDiameterMethod == nil, let wedItem {
            size.waterEquivalentDiameterMethod = wedItem.children.lazy.compactMap(\.codeValue).first
        }
        let hasSize = size.lateralDimension != nil || size.apDimension != nil || size.effectiveDiameter != nil
            || size.waterEquivalentDiameter != nil

        return CTDose(
            meanCTDIvol: ctdivol,
            phantom: phantom,
            dlp: dlp,
            effectiveDose: quantity(item.child(named: DCM.effectiveDose), .effectiveDose, where_),
            sizeSpecificDoseEstimates: estimates,
            reportedSize: hasSize ? size : nil
        )
    }

    // MARK: - TID 10015

    private mutating func decodeAlert(_ item: ContentItem, location: String) -> DoseCheckAlert {
        let where_ = "\(location)/Dose Check Alert Details"
        return DoseCheckAlert(
            dlpAlertValueConfigured: yesNo(item.child(named: DCM.dlpAlertValueConfigured), location),
            ctdivolAlertValueConfigured: yesNo(item.child(named: DCM.ctdivolAlertValueConfigured), location),
            dlpAlertValue: quantity(item.child(named: DCM.dlpAlertValue), .doseLengthProduct, where_),
            ctdivolAlertValue: quantity(item.child(named: DCM.ctdivolAlertValue), .airKerma, where_),
            accumulatedDLPForwardEstimate: quantity(item.child(named: DCM.accumulatedDLPForwardEstimate), .doseLengthProduct, where_),
            accumulatedCTDIvolForwardEstimate: quantity(item.child(named: DCM.accumulatedCTDIvolForwardEstimate), .airKerma, where_),
            reasonForProceeding: item.child(named: DCM.reasonForProceeding)?.textValue,
            authorizingPerson: personName(item)
        )
    }

    private mutating func decodeNotification(_ item: ContentItem, location: String) -> DoseCheckNotification {
        let where_ = "\(location)/Dose Check Notification Details"
        return DoseCheckNotification(
            dlpNotificationValueConfigured: yesNo(item.child(named: DCM.dlpNotificationValueConfigured), location),
            ctdivolNotificationValueConfigured: yesNo(item.child(named: DCM.ctdivolNotificationValueConfigured), location),
            dlpNotificationValue: quantity(item.child(named: DCM.dlpNotificationValue), .doseLengthProduct, where_),
            ctdivolNotificationValue: quantity(item.child(named: DCM.ctdivolNotificationValue), .airKerma, where_),
            dlpForwardEstimate: quantity(item.child(named: DCM.dlpForwardEstimate), .doseLengthProduct, where_),
            ctdivolForwardEstimate: quantity(item.child(named: DCM.ctdivolForwardEstimate), .airKerma, where_),
            reasonForProceeding: item.child(named: DCM.reasonForProceeding)?.textValue,
            authorizingPerson: personName(item)
        )
    }

    private func personName(_ container: ContentItem) -> String? {
        guard let item = container.child(named: DCM.personName), case .personName(let name) = item.value else {
            return nil
        }
        // DICOM PN: family^given^middle^prefix^suffix; shown as "given family".
        let parts = name.split(separator: "^", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 2, !parts[1].isEmpty { return "\(parts[1]) \(parts[0])".trimmingSpaces }
        return parts.first
    }

    private mutating func yesNo(_ item: ContentItem?, _ location: String) -> Bool? {
        guard let code = item?.codeValue else { return nil }
        noteLegacy(code, location: location)
        let canonical = LegacyCodes.canonical(code)
        if canonical == SCT.yes { return true }
        if canonical == SCT.no { return false }
        return nil
    }

    // MARK: - Numbers and units

    /// A NUM item's value in the canonical unit for `kind`, with notes for
    /// illegal Decimal Strings and units that are non-standard or unknown.
    mutating func quantity(_ item: ContentItem?, _ kind: QuantityKind, _ location: String) -> Quantity? {
        guard let item else { return nil }
        let name = item.concept.map { $0.meaning.isEmpty ? $0.value : $0.meaning } ?? "value"
        guard case .numeric(let measured, _) = item.value else {
            notes.add(.missingNumericValue, "\(name) is a \(item.value.valueType) item, not NUM; ignored", location: location)
            return nil
        }
        guard let measured else {
            notes.add(.missingNumericValue, "\(name) has an empty Measured Value Sequence", location: location)
            return nil
        }
        guard let number = parseDecimal(measured.text, name: name, location: location) else { return nil }
        var factor = 1.0
        let unit = measured.unit?.value
        if let unit {
            guard let conversion = kind.conversion(from: unit) else {
                notes.add(.unknownUnit, "\(name) unit '\(unit)' is not a unit of \(kind.canonicalUnit); value ignored", location: location)
                return nil
            }
            factor = conversion.factor
            if conversion.nonStandard {
                notes.add(.nonStandardUnit, "\(name) unit written as '\(unit)', read as \(kind.canonicalUnit)", location: location)
            }
        } else if kind != .count && kind != .ratio {
            notes.add(.missingUnit, "\(name) has no unit; assumed \(kind.canonicalUnit)", location: location)
        }
        let value = number * factor
        guard kind.plausibleRange.contains(value) else {
            notes.add(
                .implausibleValue,
                "\(name) \(NumberText.shortest(value)) \(kind.canonicalUnit) is outside what a measurement can be (\(NumberText.shortest(kind.plausibleRange.lowerBound))–\(NumberText.shortest(kind.plausibleRange.upperBound)) \(kind.canonicalUnit)); value ignored",
                location: location
            )
            return nil
        }
        return Quantity(value: value, kind: kind, text: measured.text, writtenUnit: unit)
    }

    /// A DICOM Decimal String as a number. Tolerates what scanners write
    /// ("10.50/ 15.00", "5.3\5.3") by taking the first number, with a note.
    mutating func parseDecimal(_ text: String, name: String, location: String) -> Double? {
        let trimmed = text.trimmingSpaces
        // A DS of 400 digits reads as infinity: no number at all.
        guard let value = readDecimal(trimmed, text: text, name: name, location: location) else { return nil }
        guard value.isFinite else {
            notes.add(.implausibleValue, "\(name) '\(text.prefix(40))\(text.count > 40 ? "…" : "")' is not a finite number; ignored", location: location)
            return nil
        }
        return value
    }

    private mutating func readDecimal(_ trimmed: String, text: String, name: String, location: String) -> Double? {
        if let value = DecimalString.strictValue(trimmed) { return value }
        if trimmed.contains("\\") {
            let first = String(trimmed.split(separator: "\\", omittingEmptySubsequences: false)[0]).trimmingSpaces
            if let value = DecimalString.strictValue(first) {
                notes.add(.multiValuedDecimalString, "\(name) has several values '\(text)'; the first, \(format(value)), was used", location: location)
                return value
            }
        }
        // A decimal comma ("5,3") from a localised writer: reading the first
        // number would give 5, a wrong value, so it gets its own rule.
        if trimmed.filter({ $0 == "," }).count == 1,
            let value = DecimalString.strictValue(String(trimmed.map { $0 == "," ? "." : $0 }))
        {
            notes.add(.illegalDecimalString, "\(name) '\(text)' uses a decimal comma; read as \(format(value))", location: location)
            return value
        }
        if let value = DecimalString.firstNumber(in: trimmed) {
            notes.add(.illegalDecimalString, "\(name) '\(text.prefix(40))\(text.count > 40 ? "…" : "")' is not a valid Decimal String; read as \(format(value))", location: location)
            return value
        }
        notes.add(.illegalDecimalString, "\(name) '\(text.prefix(40))\(text.count > 40 ? "…" : "")' is not a number; ignored", location: location)
        return nil
    }
}

/// Shortest round-trip decimal text for a Double, for messages.
func format(_ value: Double) -> String { NumberText.shortest(value) }
