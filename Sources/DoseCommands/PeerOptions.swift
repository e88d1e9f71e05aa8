import ArgumentParser
import DCMTKBridge

/// Where a DICOM SCU command connects: `HOST PORT` as echoscu/storescu take them.
struct PeerOptions: ParsableArguments {
    @Argument(help: "Host name or address of the DICOM peer.")
    var host: String

    @Argument(help: "TCP port of the DICOM peer.")
    var port: UInt16

    @Option(name: .customLong("aet"), help: "Our (calling) AE title.")
    var callingAETitle = "DOSEAUDIT"

    @Option(name: .customLong("aec"), help: "The peer's (called) AE title (DoseAudit's own listener by default).")
    var calledAETitle = "DOSEAUDIT"

    @Option(help: "Seconds to wait for the connection and each response.")
    var timeout: UInt32 = 30

    var peer: DICOMPeer {
        DICOMPeer(host: host, port: port, callingAETitle: callingAETitle, calledAETitle: calledAETitle, timeoutSeconds: timeout)
    }
}
