import StructuredReport

/// TID 10012 CT Accumulated Dose Data: totals the report declares.
extension DoseReportDecoder {
    mutating func decodeAccumulated(_ root: ContentItem, eventCount: Int) -> CTAccumulatedDose {
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
}
