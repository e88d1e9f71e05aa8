import StructuredReport

/// TID 10015 CT Dose Check Details: alerts and notifications an operator overrode.
extension DoseReportDecoder {
    mutating func decodeAlert(_ item: ContentItem, location: String) -> DoseCheckAlert {
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

    mutating func decodeNotification(_ item: ContentItem, location: String) -> DoseCheckNotification {
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

    func personName(_ container: ContentItem) -> String? {
        guard let item = container.child(named: DCM.personName), case .personName(let name) = item.value else {
            return nil
        }
        // DICOM PN: family^given^middle^prefix^suffix; shown as "given family".
        let parts = name.split(separator: "^", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 2, !parts[1].isEmpty { return "\(parts[1]) \(parts[0])".trimmingSpaces }
        return parts.first
    }

    mutating func yesNo(_ item: ContentItem?, _ location: String) -> Bool? {
        guard let code = item?.codeValue else { return nil }
        noteLegacy(code, location: location)
        let canonical = LegacyCodes.canonical(code)
        if canonical == SCT.yes { return true }
        if canonical == SCT.no { return false }
        return nil
    }
}
