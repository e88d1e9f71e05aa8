public import StructuredReport

/// The stable JSON form of a dose report (`doseaudit extract --format json`),
/// documented in README.md ("JSON output"). Every key is always present;
/// absent values are `null`. Doses are in mGy, DLP in mGy·cm, lengths in mm,
/// times in s, whatever unit the report used.
extension CTRadiationDoseReport {
    /// The JSON schema version; bump on any incompatible change.
    public static let jsonSchemaVersion = 1

    /// - Parameter includeIdentifiers: include the patient ID and birth date
    ///   (off by default: identifiers stay out of output unless a site asks).
    public func json(includeIdentifiers: Bool = false) -> JSONValue {
        var patientMembers: [(String, JSONValue)] = [
            ("sex", .optional(patient.sex)),
            ("age", patient.age.map { age in
                .object([
                    ("text", .string(age.ageString)), ("value", .number(Double(age.value))),
                    ("unit", .string(age.unit.rawValue)), ("source", .string(age.source.rawValue)),
                ])
            } ?? .null),
            ("ageYears", .optional(patient.age.map { ($0.decimalYears * 1000).rounded() / 1000 })),
            ("ageBandYears", .optional(patient.age.map { ($0.years * 1000).rounded() / 1000 })),
            ("sizeM", .optional(patient.sizeMetres)),
            ("weightKg", .optional(patient.weightKg)),
        ]
        if includeIdentifiers {
            patientMembers.insert(("patientID", .optional(patient.patientID)), at: 0)
            patientMembers.insert(("birthDate", .optional(patient.birthDate)), at: 1)
        }
        return .object([
            ("schemaVersion", .number(Double(Self.jsonSchemaVersion))),
            ("sopClassUID", .string(sopClassUID)),
            ("sopInstanceUID", .string(sopInstanceUID)),
            ("templateIdentifier", .optional(templateIdentifier)),
            ("transferSyntaxUID", .optional(transferSyntaxUID)),
            ("study", .object([
                ("studyInstanceUID", .optional(study.studyInstanceUID)),
                ("accessionNumber", .optional(study.accessionNumber)),
                ("studyDate", .optional(study.studyDate)),
                ("studyTime", .optional(study.studyTime)),
                ("studyDescription", .optional(study.studyDescription)),
                ("institutionName", .optional(study.institutionName)),
                ("stationName", .optional(study.stationName)),
                ("irradiationStart", .optional(irradiationStart)),
                ("irradiationEnd", .optional(irradiationEnd)),
                ("scopeOfAccumulation", .optional(scope?.scope?.meaning)),
                ("scopeUID", .optional(scope?.uid)),
            ])),
            ("device", .object([
                ("observerUID", .optional(device.observerUID)),
                ("observerName", .optional(device.observerName)),
                ("manufacturer", .optional(device.manufacturer)),
                ("modelName", .optional(device.modelName)),
                ("serialNumber", .optional(device.serialNumber)),
                ("physicalLocation", .optional(device.physicalLocation)),
                ("softwareVersions", .optional(device.softwareVersions)),
            ])),
            ("patient", .object(patientMembers)),
            ("totalDLP", .optional(accumulated.dlpTotal?.value)),
            ("accumulated", .object([
                ("declaredEventCount", .optional(accumulated.declaredEventCount)),
                ("eventCount", .number(Double(events.count))),
                ("dlpTotal", .optional(accumulated.dlpTotal?.value)),
                ("eventDLPSum", .number((eventDLPSum * 100).rounded() / 100)),
                ("dlpSubTotals", .array(accumulated.dlpSubTotals.map { sub in
                    .object([("phantom", .optional(sub.phantom?.name)), ("dlp", .number(sub.dlp.value))])
                })),
                ("effectiveDoseTotal", .optional(accumulated.effectiveDoseTotal?.value)),
            ])),
            ("events", .array(events.map { $0.json() })),
            ("sourcesOfDoseInformation", .array(sourcesOfDoseInformation.map { JSONValue.code($0) })),
            ("comment", .optional(comment)),
            ("notes", .array(notes.map(\.json))),
        ])
    }
}

extension CTIrradiationEvent {
    public func json() -> JSONValue {
        .object(identityMembers + doseMembers + parameterMembers)
    }

    private var identityMembers: [(String, JSONValue)] {
        [
            ("irradiationEventUID", .optional(irradiationEventUID)),
            ("protocol", .optional(acquisitionProtocol)),
            ("targetRegion", .optional(targetRegion?.name)),
            ("targetRegionCode", JSONValue.code(targetRegionCode)),
            ("acquisitionType", .optional(acquisitionType?.name)),
            ("acquisitionTypeCode", JSONValue.code(acquisitionTypeCode)),
            ("isLocalizer", .bool(acquisitionType?.isLocalizer ?? false)),
            ("procedureContext", JSONValue.code(procedureContext)),
            ("label", .optional(label)),
            ("startedAt", .optional(startedAt)),
        ]
    }

    private var doseMembers: [(String, JSONValue)] {
        let estimates: [JSONValue] = (dose?.sizeSpecificDoseEstimates ?? []).map { ssde in
            .object([
                ("value", .number(ssde.value.value)),
                ("method", .optional(ssde.method?.name)),
                ("methodCode", JSONValue.code(ssde.methodCode)),
            ])
        }
        var size: JSONValue = .null
        if let reported = dose?.reportedSize {
            size = .object([
                ("lateralDimensionMM", .optional(reported.lateralDimension?.value)),
                ("apDimensionMM", .optional(reported.apDimension?.value)),
                ("effectiveDiameterMM", .optional(reported.effectiveDiameter?.value)),
                ("waterEquivalentDiameterMM", .optional(reported.waterEquivalentDiameter?.value)),
                ("waterEquivalentDiameterMethod", JSONValue.code(reported.waterEquivalentDiameterMethod)),
            ])
        }
        return [
            ("ctdivol", .optional(dose?.meanCTDIvol?.value)),
            ("phantom", .optional(dose?.phantom?.name)),
            ("dlp", .optional(dose?.dlp?.value)),
            ("effectiveDose", .optional(dose?.effectiveDose?.value)),
            ("reportedSSDE", .array(estimates)),
            ("reportedSize", size),
        ]
    }

    private var parameterMembers: [(String, JSONValue)] {
        let first = parameters.sources.first
        let sources: [JSONValue] = parameters.sources.map { source in
            .object([
                ("identification", .optional(source.identification)),
                ("kvp", .optional(source.kvp?.value)),
                ("tubeCurrentMA", .optional(source.tubeCurrent?.value)),
                ("maximumTubeCurrentMA", .optional(source.maximumTubeCurrent?.value)),
                ("rotationTimeS", .optional(source.exposureTimePerRotation?.value)),
            ])
        }
        let check: JSONValue = doseCheck?.json() ?? .null
        return [
            ("scanningLengthMM", .optional(parameters.scanningLength?.value)),
            ("exposureTimeS", .optional(parameters.exposureTime?.value)),
            ("nominalSingleCollimationMM", .optional(parameters.nominalSingleCollimationWidth?.value)),
            ("nominalTotalCollimationMM", .optional(parameters.nominalTotalCollimationWidth?.value)),
            ("pitchFactor", .optional(parameters.pitchFactor?.value)),
            ("numberOfXRaySources", .optional(parameters.numberOfXRaySources)),
            ("kvp", .optional(first?.kvp?.value)),
            ("tubeCurrentMA", .optional(first?.tubeCurrent?.value)),
            ("maximumTubeCurrentMA", .optional(first?.maximumTubeCurrent?.value)),
            ("rotationTimeS", .optional(first?.exposureTimePerRotation?.value)),
            ("xRaySources", .array(sources)),
            ("modulationType", .optional(modulationType)),
            ("doseCheck", check),
            ("comment", .optional(comment)),
        ]
    }
}

extension CTDoseCheckDetails {
    public func json() -> JSONValue {
        .object([
            ("alert", alert.map { alert in
                .object([
                    ("dlpConfigured", .optional(alert.dlpAlertValueConfigured)),
                    ("ctdivolConfigured", .optional(alert.ctdivolAlertValueConfigured)),
                    ("dlpValue", .optional(alert.dlpAlertValue?.value)),
                    ("ctdivolValue", .optional(alert.ctdivolAlertValue?.value)),
                    ("accumulatedDLPForwardEstimate", .optional(alert.accumulatedDLPForwardEstimate?.value)),
                    ("accumulatedCTDIvolForwardEstimate", .optional(alert.accumulatedCTDIvolForwardEstimate?.value)),
                    ("exceeded", .bool(alert.wasExceeded)),
                    ("reasonForProceeding", .optional(alert.reasonForProceeding)),
                    ("authorizingPerson", .optional(alert.authorizingPerson)),
                ])
            } ?? .null),
            ("notification", notification.map { notification in
                .object([
                    ("dlpConfigured", .optional(notification.dlpNotificationValueConfigured)),
                    ("ctdivolConfigured", .optional(notification.ctdivolNotificationValueConfigured)),
                    ("dlpValue", .optional(notification.dlpNotificationValue?.value)),
                    ("ctdivolValue", .optional(notification.ctdivolNotificationValue?.value)),
                    ("dlpForwardEstimate", .optional(notification.dlpForwardEstimate?.value)),
                    ("ctdivolForwardEstimate", .optional(notification.ctdivolForwardEstimate?.value)),
                    ("exceeded", .bool(notification.wasExceeded)),
                    ("reasonForProceeding", .optional(notification.reasonForProceeding)),
                    ("authorizingPerson", .optional(notification.authorizingPerson)),
                ])
            } ?? .null),
        ])
    }
}

extension ParseNote {
    public var json: JSONValue {
        .object([
            ("kind", .string(kind.rawValue)), ("message", .string(message)),
            ("location", .optional(location)), ("occurrences", .number(Double(occurrences))),
        ])
    }
}

extension JSONValue {
    /// A code as {"value", "scheme", "meaning"}, or null.
    public static func code(_ code: CodedConcept?) -> JSONValue {
        guard let code else { return .null }
        return .object([("value", .string(code.value)), ("scheme", .string(code.scheme)), ("meaning", .string(code.meaning))])
    }
}
