/// A deviation from the standard that the reader tolerated. Every one is kept
/// on the report, so nothing the reader worked around is silent.
public struct ParseNote: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case illegalDecimalString, multiValuedDecimalString, nonStandardUnit, unknownUnit, missingUnit
        case missingTemplateIdentifier, unexpectedTemplateIdentifier, missingProcedureReported, missingHasIntent
        case emptyTargetRegion, missingTargetRegion, unknownTargetRegion
        case missingAcquisitionType, unknownAcquisitionType
        case legacyCode, retiredIrradiationEventUIDCode, missingIrradiationEventUID, duplicateIrradiationEventUID
        case missingCTDose, misplacedCTDose, missingMeanCTDIvol, missingDLP, missingPhantom, unknownPhantom
        case missingNumericValue, missingDeviceObserverUID, missingAccumulatedDoseData, missingDLPTotal
        case eventCountMismatch, dlpTotalMismatch, misplacedIrradiationEvent
        case characterSetMismatch, invalidUTF8, characterSetConversionFailed
        case contentNestedTooDeeply, extraSequenceItems
        case invalidPatientAge, nonConformingPatientAge, patientAgeFromBirthDate, implausiblePatientSize
        case implausiblePatientAge, patientAgeContradictsBirthDate
        case implausiblePatientWeight, missingIrradiationTimes
        case modulationTypeFromComment, unknownSSDEMethod, implausibleValue
    }

    public var kind: Kind
    /// One sentence naming the deviation and what the reader did about it.
    public var message: String
    /// Where in the report: "event 3 (1.2.3…)/CT Dose/DLP", or nil for the document.
    public var location: String?
    /// How many times this exact note occurred (identical notes are merged).
    public var occurrences: Int

    public init(_ kind: Kind, _ message: String, location: String? = nil, occurrences: Int = 1) {
        self.kind = kind
        self.message = message
        self.location = location
        self.occurrences = occurrences
    }
}

/// Collects notes in order, merging identical ones (a legacy code used by
/// every event is one note with a count and the first location, not thirty).
struct ParseNotes {
    private(set) var notes: [ParseNote] = []
    private var index: [String: Int] = [:]

    mutating func add(_ kind: ParseNote.Kind, _ message: String, location: String? = nil) {
        add(kind, key: message, message, location: location)
    }

    /// As `add`, with the message built only the first time `key` is seen
    /// (legacy codes repeat on every event of old reports).
    mutating func add(_ kind: ParseNote.Kind, key: String, _ message: @autoclosure () -> String, location: @autoclosure () -> String? = nil) {
        let fullKey = "\(kind.rawValue)|\(key)"
        if let existing = index[fullKey] {
            notes[existing].occurrences += 1
        } else {
            index[fullKey] = notes.count
            notes.append(ParseNote(kind, message(), location: location()))
        }
    }
}
