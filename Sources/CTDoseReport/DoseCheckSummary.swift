/// What an overridden TID 10015 check was about, as the clauses a person
/// reads ("accumulated DLP forward estimate 502.4 ≥ alert 100 mGy·cm"), and
/// who proceeded and why. Used by every view of a report.
extension DoseCheckAlert {
    public var exceededClauses: [String] {
        var clauses: [String] = []
        if let estimate = accumulatedCTDIvolForwardEstimate, let limit = ctdivolAlertValue, estimate.value >= limit.value {
            clauses.append("accumulated CTDIvol forward estimate \(format(estimate.value)) ≥ alert \(format(limit.value)) mGy")
        }
        if let estimate = accumulatedDLPForwardEstimate, let limit = dlpAlertValue, estimate.value >= limit.value {
            clauses.append("accumulated DLP forward estimate \(format(estimate.value)) ≥ alert \(format(limit.value)) mGy·cm")
        }
        return clauses
    }

    public var justification: String { doseCheckJustification(reasonForProceeding, authorizingPerson) }
}

extension DoseCheckNotification {
    public var exceededClauses: [String] {
        var clauses: [String] = []
        if let estimate = ctdivolForwardEstimate, let limit = ctdivolNotificationValue, estimate.value >= limit.value {
            clauses.append("CTDIvol forward estimate \(format(estimate.value)) ≥ notification \(format(limit.value)) mGy")
        }
        if let estimate = dlpForwardEstimate, let limit = dlpNotificationValue, estimate.value >= limit.value {
            clauses.append("DLP forward estimate \(format(estimate.value)) ≥ notification \(format(limit.value)) mGy·cm")
        }
        return clauses
    }

    public var justification: String { doseCheckJustification(reasonForProceeding, authorizingPerson) }
}

private func doseCheckJustification(_ reason: String?, _ person: String?) -> String {
    var text = "reason: \(reason.map { "\"\($0)\"" } ?? "none recorded")"
    if let person { text += ", authorised by \(person)" }
    return text
}
