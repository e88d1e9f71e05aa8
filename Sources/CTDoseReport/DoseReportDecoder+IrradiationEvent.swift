import StructuredReport

/// TID 10013 CT Irradiation Event Data, with its acquisition parameters
/// and CT dose (TID 10014 scanning length and 10013 dose items).
extension DoseReportDecoder {
    mutating func decodeEvents(_ root: ContentItem) -> [CTIrradiationEvent] {
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

    mutating func decodeEvent(_ container: ContentItem, number: Int) -> CTIrradiationEvent {
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

    mutating func decodeParameters(_ item: ContentItem?, location: String) -> CTAcquisitionParameters {
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
            sources: sources,
            topZOfReconstructableVolume: quantity(item.child(named: DCM.topZOfReconstructableVolume), .position, where_),
            bottomZOfReconstructableVolume: quantity(item.child(named: DCM.bottomZOfReconstructableVolume), .position, where_),
            topZOfScanningLength: quantity(item.child(named: DCM.topZOfScanningLength), .position, where_),
            bottomZOfScanningLength: quantity(item.child(named: DCM.bottomZOfScanningLength), .position, where_),
            frameOfReferenceUID: item.child(named: DCM.frameOfReferenceUID)?.uidValue
        )
    }

    mutating func decodeDose(_ item: ContentItem, location: String) -> CTDose {
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
}
