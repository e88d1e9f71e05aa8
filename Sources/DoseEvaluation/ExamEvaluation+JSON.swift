import CTImageSize
public import CTDoseReport

/// The stable JSON form of `doseaudit check` (documented in README.md,
/// "Check JSON"). Every key is always present; absent values are null.
extension ExamEvaluation {
    public func json(report: CTRadiationDoseReport, referenceSets: [String], includeIdentifiers: Bool = false) -> JSONValue {
        var patient: [(String, JSONValue)] = [
            ("sex", .optional(report.patient.sex)),
            ("ageYears", .optional(report.patient.age.map { ($0.decimalYears * 1000).rounded() / 1000 })),
            ("ageBandYears", .optional(report.patient.age.map { ($0.years * 1000).rounded() / 1000 })),
            ("ageText", .optional(report.patient.age?.ageString)),
            ("ageSource", .optional(report.patient.age?.source.rawValue)),
            ("weightKg", .optional(report.patient.weightKg)),
            ("sizeM", .optional(report.patient.sizeMetres)),
        ]
        if includeIdentifiers { patient.insert(("patientID", .optional(report.patient.patientID)), at: 0) }
        let events: [JSONValue] = self.events.map { $0.json(event: report.events[$0.index]) }
        return .object([
            ("sopInstanceUID", .string(report.sopInstanceUID)),
            ("studyInstanceUID", .optional(report.study.studyInstanceUID)),
            ("accessionNumber", .optional(report.study.accessionNumber)),
            ("scanner", .optional([report.device.manufacturer, report.device.modelName].compactMap { $0 }.joined(separator: " "))),
            ("patient", .object(patient)),
            ("totalDLP", .optional(report.accumulated.dlpTotal?.value)),
            ("referenceSets", .array(referenceSets.map(JSONValue.string))),
            ("worstLevel", .optional(worstLevel?.rawValue)),
            ("events", .array(events)),
            ("examFindings", .array(examFindings.map(\.json))),
            ("parseNotes", .array(report.notes.map(\.json))),
        ])
    }
}

extension EventEvaluation {
    func json(event: CTIrradiationEvent) -> JSONValue {
        var size: [(String, JSONValue)] = [
            ("ssde", .optional(ssde.value.map { ($0 * 1000).rounded() / 1000 })),
            ("ssdeMethod", .optional(ssde.source?.rawValue)),
            ("sizeCm", .optional(ssde.sizeCm.map { ($0 * 100).rounded() / 100 })),
            ("sizeKind", .optional(ssde.diameterKind?.rawValue)),
            ("conversionFactor", .optional(ssde.conversionFactor.map { ($0 * 10000).rounded() / 10000 })),
            ("ssdeModel", .optional(ssde.model)),
            ("ssdeIsEstimate", .bool(ssde.isEstimate)),
            ("ssdeUnavailableReason", .optional(ssde.unavailableReason)),
        ]
        // Only where the size came from images: older outputs keep their shape.
        if let images = ssde.fromImages {
            size.append(("sizeFromImages", JSONValue.object([
                ("seriesInstanceUID", .string(images.range.seriesInstanceUID)),
                ("seriesNumber", .optional(images.range.seriesNumber)),
                ("link", .string(images.link.rawValue)),
                ("waterEquivalentDiameterCm", .number((images.waterEquivalentDiameterCm * 100).rounded() / 100)),
                ("effectiveDiameterCm", .number((images.effectiveDiameterCm * 100).rounded() / 100)),
                ("meanWaterEquivalentDiameterCm", .number((images.range.meanWaterEquivalentDiameterCm * 100).rounded() / 100)),
                ("centreSliceZMM", .optional(images.range.centre.frame.zMM)),
                ("slicesUsed", .number(Double(images.range.slicesUsed))),
                ("slicesTruncated", .number(Double(images.range.slicesTruncated))),
                ("slicesNotUsed", .number(Double(images.range.slicesNotUsed))),
                ("method", .string(ImageSizeRecord.method)),
                ("eventRule", .string(SizeMethod.eventDwRule)),
            ]))) 
        }
        return .object([
            ("irradiationEventUID", .optional(event.irradiationEventUID)),
            ("protocol", .optional(event.acquisitionProtocol)),
            ("acquisitionType", .optional(event.acquisitionType?.name)),
            ("ctdivol", .optional(event.dose?.meanCTDIvol?.value)),
            ("dlp", .optional(event.dose?.dlp?.value)),
            ("phantom", .optional(event.dose?.phantom?.name)),
            ("region", .string(region.rawValue)),
            ("regionSource", .string(regionSource.rawValue)),
            ("contrast", .optional(contrast?.rawValue)),
        ] + size + [
            ("inReferenceComparison", .bool(inReferenceComparison)),
            ("exclusionReason", .optional(exclusionReason)),
            ("worstLevel", .optional(worstLevel?.rawValue)),
            ("findings", .array(findings.map(\.json))),
        ])
    }
}

extension Finding {
    public var json: JSONValue {
        let scopeText: String
        switch scope {
        case .event(let index): scopeText = "event \(index + 1)"
        case .exam(let region): scopeText = "exam \(region.rawValue)"
        }
        return .object([
            ("level", .string(level.rawValue)),
            ("scope", .string(scopeText)),
            ("quantity", .optional(quantity?.rawValue)),
            ("referenceSet", .optional(referenceSetID)),
            ("referenceRow", .optional(referenceRow)),
            ("value", .optional(value.map { ($0 * 1000).rounded() / 1000 })),
            ("limit", .optional(limit)),
            ("ratio", .optional(ratio.map { ($0 * 1000).rounded() / 1000 })),
            ("explanation", .string(explanation)),
        ])
    }
}
