import StructuredReport

extension CTIrradiationEvent {
    /// The event as JSON in exactly the layout of its synthesized `Codable`
    /// conformance, so `JSONDecoder` reads it back, written directly: the
    /// store keeps every event this way, and `JSONEncoder`'s generic
    /// machinery takes 43 µs per event (15 % of an import's CPU time) where
    /// this takes a few. nil for a value JSON cannot hold (a non-finite
    /// number, which the decoder never lets into a report). The tests hold
    /// it to `JSONEncoder`'s output, value for value, on every event of the
    /// corpus and on one with every field set.
    public func codableJSON() -> [UInt8]? {
        var writer = CodableLayoutWriter()
        writer.event(self)
        return writer.failed ? nil : writer.bytes
    }
}

/// Writes the members of each model type in declaration order, as the
/// synthesized `encode(to:)` does: nil optionals left out (`encodeIfPresent`),
/// an enum case as `{"case":{}}`, a case with a value as
/// `{"case":{"_0":value}}`.
struct CodableLayoutWriter {
    var bytes: [UInt8] = []
    var failed = false

    init() { bytes.reserveCapacity(1024) }

    // MARK: - The model

    mutating func event(_ e: CTIrradiationEvent) {
        let start = open()
        member("irradiationEventUID", e.irradiationEventUID)
        member("acquisitionProtocol", e.acquisitionProtocol)
        if let region = e.targetRegion { key("targetRegion"); targetRegion(region) }
        if let code = e.targetRegionCode { key("targetRegionCode"); coded(code) }
        if let type = e.acquisitionType { key("acquisitionType"); acquisitionType(type) }
        if let code = e.acquisitionTypeCode { key("acquisitionTypeCode"); coded(code) }
        if let code = e.procedureContext { key("procedureContext"); coded(code) }
        member("label", e.label)
        member("startedAt", e.startedAt)
        key("parameters"); parameters(e.parameters)
        if let value = e.dose { key("dose"); dose(value) }
        if let value = e.doseCheck { key("doseCheck"); doseCheck(value) }
        member("modulationType", e.modulationType)
        member("comment", e.comment)
        close(start)
    }

    mutating func parameters(_ p: CTAcquisitionParameters) {
        let start = open()
        member("exposureTime", p.exposureTime)
        member("scanningLength", p.scanningLength)
        member("lengthOfReconstructableVolume", p.lengthOfReconstructableVolume)
        member("exposedRange", p.exposedRange)
        member("nominalSingleCollimationWidth", p.nominalSingleCollimationWidth)
        member("nominalTotalCollimationWidth", p.nominalTotalCollimationWidth)
        member("pitchFactor", p.pitchFactor)
        if let count = p.numberOfXRaySources { key("numberOfXRaySources"); bytes += Array(String(count).utf8) }
        key("sources")
        array(p.sources) { writer, source in
            let start = writer.open()
            writer.member("identification", source.identification)
            writer.member("kvp", source.kvp)
            writer.member("maximumTubeCurrent", source.maximumTubeCurrent)
            writer.member("tubeCurrent", source.tubeCurrent)
            writer.member("exposureTimePerRotation", source.exposureTimePerRotation)
            writer.close(start)
        }
        member("topZOfReconstructableVolume", p.topZOfReconstructableVolume)
        member("bottomZOfReconstructableVolume", p.bottomZOfReconstructableVolume)
        member("topZOfScanningLength", p.topZOfScanningLength)
        member("bottomZOfScanningLength", p.bottomZOfScanningLength)
        member("frameOfReferenceUID", p.frameOfReferenceUID)
        close(start)
    }

    mutating func dose(_ d: CTDose) {
        let start = open()
        member("meanCTDIvol", d.meanCTDIvol)
        if let value = d.phantom { key("phantom"); phantom(value) }
        member("dlp", d.dlp)
        member("effectiveDose", d.effectiveDose)
        key("sizeSpecificDoseEstimates")
        array(d.sizeSpecificDoseEstimates) { writer, ssde in
            let start = writer.open()
            writer.key("value"); writer.quantity(ssde.value)
            if let method = ssde.method { writer.key("method"); writer.ssdeMethod(method) }
            if let code = ssde.methodCode { writer.key("methodCode"); writer.coded(code) }
            writer.close(start)
        }
        if let size = d.reportedSize {
            key("reportedSize")
            let sizeStart = open()
            member("lateralDimension", size.lateralDimension)
            member("apDimension", size.apDimension)
            member("effectiveDiameter", size.effectiveDiameter)
            member("waterEquivalentDiameter", size.waterEquivalentDiameter)
            if let code = size.waterEquivalentDiameterMethod { key("waterEquivalentDiameterMethod"); coded(code) }
            close(sizeStart)
        }
        close(start)
    }

    mutating func doseCheck(_ c: CTDoseCheckDetails) {
        let start = open()
        if let alert = c.alert {
            key("alert")
            let alertStart = open()
            member("dlpAlertValueConfigured", alert.dlpAlertValueConfigured)
            member("ctdivolAlertValueConfigured", alert.ctdivolAlertValueConfigured)
            member("dlpAlertValue", alert.dlpAlertValue)
            member("ctdivolAlertValue", alert.ctdivolAlertValue)
            member("accumulatedDLPForwardEstimate", alert.accumulatedDLPForwardEstimate)
            member("accumulatedCTDIvolForwardEstimate", alert.accumulatedCTDIvolForwardEstimate)
            member("reasonForProceeding", alert.reasonForProceeding)
            member("authorizingPerson", alert.authorizingPerson)
            close(alertStart)
        }
        if let notification = c.notification {
            key("notification")
            let notificationStart = open()
            member("dlpNotificationValueConfigured", notification.dlpNotificationValueConfigured)
            member("ctdivolNotificationValueConfigured", notification.ctdivolNotificationValueConfigured)
            member("dlpNotificationValue", notification.dlpNotificationValue)
            member("ctdivolNotificationValue", notification.ctdivolNotificationValue)
            member("dlpForwardEstimate", notification.dlpForwardEstimate)
            member("ctdivolForwardEstimate", notification.ctdivolForwardEstimate)
            member("reasonForProceeding", notification.reasonForProceeding)
            member("authorizingPerson", notification.authorizingPerson)
            close(notificationStart)
        }
        close(start)
    }

    mutating func quantity(_ q: Quantity) {
        let start = open()
        key("value"); number(q.value)
        key("kind"); string(q.kind.rawValue)
        key("text"); string(q.text)
        member("writtenUnit", q.writtenUnit)
        close(start)
    }

    mutating func coded(_ c: CodedConcept) {
        let start = open()
        key("value"); string(c.value)
        key("scheme"); string(c.scheme)
        member("version", c.version)
        key("meaning"); string(c.meaning)
        close(start)
    }

    mutating func targetRegion(_ region: TargetRegion) {
        if case .other(let code) = region { other(code) } else { enumCase(region.name) }
    }

    mutating func acquisitionType(_ type: CTAcquisitionType) {
        if case .other(let code) = type { other(code) } else { enumCase(type.name) }
    }

    mutating func ssdeMethod(_ method: SSDEMethod) {
        if case .other(let code) = method { other(code) } else { enumCase(method.name) }
    }

    mutating func phantom(_ phantom: CTDosimetryPhantom) {
        switch phantom {
        case .head16cm: enumCase("head16cm")
        case .body32cm: enumCase("body32cm")
        case .pediatricHead10cm: enumCase("pediatricHead10cm")
        case .other(let code): other(code)
        }
    }

    // MARK: - JSON

    mutating func member(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    mutating func member(_ name: StaticString, _ value: Quantity?) {
        guard let value else { return }
        key(name)
        quantity(value)
    }

    mutating func member(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        key(name)
        bytes += value ? Array("true".utf8) : Array("false".utf8)
    }

    mutating func enumCase(_ name: String) {
        bytes.append(UInt8(ascii: "{"))
        string(name)
        bytes += Array(":{}}".utf8)
    }

    mutating func other(_ code: CodedConcept) {
        bytes += Array("{\"other\":{\"_0\":".utf8)
        coded(code)
        bytes += Array("}}".utf8)
    }

    /// Opens an object; members each write a leading comma, and `close`
    /// removes the first one.
    mutating func open() -> Int {
        bytes.append(UInt8(ascii: "{"))
        return bytes.count
    }

    mutating func close(_ start: Int) {
        if bytes.count > start, bytes[start] == UInt8(ascii: ",") { bytes.remove(at: start) }
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func key(_ name: StaticString) {
        bytes.append(UInt8(ascii: ","))
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes += $0 }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func array<T>(_ items: [T], _ write: (inout CodableLayoutWriter, T) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            write(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Swift's shortest round-trip text, which JSONDecoder reads back to the same Double.
    mutating func number(_ value: Double) {
        guard value.isFinite else {
            failed = true
            bytes += Array("null".utf8)
            return
        }
        if value == value.rounded(.towardZero), abs(value) < 1e15 {
            bytes += Array(String(Int64(value)).utf8)
        } else {
            bytes += Array(value.description.utf8)
        }
    }

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
