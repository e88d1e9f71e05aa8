import CTDoseReport
import CTImageSize
import DCMTKBridge
public import DoseConfiguration
import DoseIngest
import DoseStore
import Foundation
public import Logging
public import ServiceLifecycle

/// The C-STORE receiver scanners send to. Each object is recorded in the
/// store (one committed transaction: ledger, object, study) before its
/// C-STORE response is sent, so a sender that saw "success" can never lose
/// it to a crash. Objects that are not usable dose reports are kept
/// (quarantined in the store and under <state>/quarantine) and answered
/// 0xC000; a store that cannot commit is answered 0xA700 so the sender
/// retries later.
public struct StorageSCPService: Service {
    let runtime: ServeRuntime
    let alerts: AlertDispatcher
    let settings: DICOMListenerSettings
    let notifier: SystemdNotifier
    let gate: StartupGate
    let metrics: ServiceMetrics
    let health: SourceHealth
    let inHand: ObjectsInHand
    let logger: Logger

    public init(
        runtime: ServeRuntime, settings: DICOMListenerSettings, alerts: AlertDispatcher, notifier: SystemdNotifier, gate: StartupGate,
        metrics: ServiceMetrics, health: SourceHealth, inHand: ObjectsInHand, logger: Logger
    ) {
        self.health = health
        self.inHand = inHand
        self.runtime = runtime
        self.metrics = metrics
        self.settings = settings
        self.alerts = alerts
        self.notifier = notifier
        self.gate = gate
        self.logger = logger
    }

    public func run() async throws {
        let receiver = Receiver(runtime: runtime, alerts: alerts, metrics: metrics, health: health, inHand: inHand, logger: logger)
        let logger = self.logger
        let scp = try StorageSCP(
            settings: StorageSCPSettings(
                aeTitle: settings.aeTitle, port: UInt16(settings.port), maxPDU: UInt32(settings.maxPDU),
                acseTimeoutSeconds: UInt32(settings.acseTimeoutSeconds), idleTimeoutSeconds: UInt32(settings.idleTimeoutSeconds),
                maxAssociations: UInt16(settings.maxAssociations), requireCalledAETitle: settings.requireCalledAETitle,
                allowedCallingAETitles: settings.allowedCallingAETitles, allowedPeers: settings.allowedPeers
            ),
            onStore: { receiver.store($0) },
            onEvent: { event in
                switch event {
                case .accepted(let text): logger.info("\(text)")
                case .echo(let text): logger.info("\(text)")
                case .refused(let text): logger.warning("\(text)")
                case .problem(let text): logger.warning("\(text)")
                }
            }
        )
        if settings.allowedCallingAETitles.isEmpty && settings.allowedPeers.isEmpty {
            logger.warning("dicom_listener: no allowed_calling_ae_titles or allowed_peers; any peer that can reach port \(settings.port) may store")
        }
        let description = "listening as \(settings.aeTitle) on port \(settings.port)"
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    // DCMTK's listen loop blocks: it gets a thread of its own,
                    // never one of Swift concurrency's few threads.
                    let thread = Thread {
                        do throws(DCMTKError) {
                            try scp.run()
                            continuation.resume()
                        } catch {
                            continuation.resume(throwing: error)
                        }
                    }
                    thread.name = "dicom-listener"
                    thread.start()
                    if scp.waitUntilListening() { gate.ready("dicom-listener", description) }
                }
            } onCancel: {
                scp.stop()
            }
        } onGracefulShutdown: {
            notifier.stopping()
            scp.stop()
        }
        logger.notice("DICOM listener stopped")
    }

    /// Turns one received object into a ledger entry and a DIMSE status.
    final class Receiver: Sendable {
        let runtime: ServeRuntime
        let alerts: AlertDispatcher
        let metrics: ServiceMetrics
        let health: SourceHealth
        let inHand: ObjectsInHand
        let logger: Logger

        init(runtime: ServeRuntime, alerts: AlertDispatcher, metrics: ServiceMetrics, health: SourceHealth, inHand: ObjectsInHand, logger: Logger) {
            self.runtime = runtime
            self.alerts = alerts
            self.metrics = metrics
            self.health = health
            self.inHand = inHand
            self.logger = logger
        }

        func store(_ object: ReceivedObject) -> DIMSEStatus {
            let state = runtime.current
            let origin = "\(object.callingAETitle)@\(object.peerAddress)"
            let started = ContinuousClock.now
            let outcome: IngestOutcome
            let arrival = Arrival(source: "c-store", origin: origin, bytes: object.bytes, receivedAt: Date())
            let held = inHand.hold(arrival)
            do {
                outcome = try state.pipeline.ingest(arrival)
                inHand.release(held)
                health.working("store")
            } catch {
                inHand.release(held)
                health.failing("store", "cannot commit: \(error)")
                logger.info("C-STORE \(object.sopInstanceUID) from \(origin): not stored, answered 0xA700 (sender will retry)")
                return .outOfResources
            }
            defer { metrics.record(outcome, source: "c-store", duration: ContinuousClock.now - started) }
            switch outcome {
            case .stored(let report):
                logger.info("C-STORE from \(origin): stored \(report.sopInstanceUID) (\(report.reconciliation.rawValue), \(report.newEvents) new events, study DLP \(NumberText.rounded(report.studyTotalDLP, digits: 2)) mGy·cm)")
                alerts.deliver(report.newAlerts)
                return .success
            case .image(let image):
                logger.debug("C-STORE from \(origin): CT image \(image.sopInstanceUID): \(image.framesSized) of \(image.frames) frames sized")
                return .success
            case .duplicate(let reason, nil):
                logger.info("C-STORE from \(origin): \(object.sopInstanceUID) duplicate (\(reason))")
                return .success
            case .duplicate(let reason, let rejection?):
                // The same answer for the same object as the first time.
                logger.warning("C-STORE from \(origin): \(object.sopInstanceUID) rejected again [\(rejection.code)] \(rejection.message) (\(reason)); answered 0xC000")
                return .cannotUnderstand
            case .rejected(let code, let message):
                logger.warning("C-STORE from \(origin): \(object.sopInstanceUID) rejected [\(code)] \(message); kept in quarantine, answered 0xC000")
                quarantine(object, reason: "\(code): \(message)", state: state.configuration.service)
                return .cannotUnderstand
            }
        }

        /// A copy an administrator can open with DICOM tools (the store keeps the original too).
        private func quarantine(_ object: ReceivedObject, reason: String, state: ServiceSettings) {
            let directory = state.stateDirectory + "/quarantine"
            let safe = String(object.sopInstanceUID.map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "_" }.prefix(64))
            let base = directory + "/" + (safe.isEmpty ? "unnamed" : safe)
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                // Image pixels are never kept: a refused CT image leaves only its reason.
                if !SliceSelection.sizedSOPClasses.contains(object.sopClassUID) {
                    try Data(object.bytes).write(to: URL(fileURLWithPath: base + ".dcm"))
                }
                try "\(reason)\nfrom \(object.callingAETitle)@\(object.peerAddress), SOP class \(object.sopClassUID)\n".write(toFile: base + ".dcm.reason", atomically: true, encoding: .utf8)
            } catch {
                logger.error("cannot write quarantine copy \(base).dcm: \(error)")
            }
        }
    }
}
