// The storage SCP of CDCMTKShim.h: a C-STORE / C-ECHO receiver, a thread
// per association, every connection's PDUs bounded in time (ConnectionGuard).
//
// Why our own accept loop rather than DcmSCPPool<DcmStorageSCP>: see
// ReceiverPool. DcmStorageSCP is not used either: it writes files itself, while the
// response must wait until Swift has made the object durable.
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcostrmb.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmnet/scpthrd.h"
#include "dcmtk/dcmnet/scu.h"

#include "CDCMTKShim.h"
#include "ShimSupport.hpp"
#include "ConnectionGuard.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <cstring>
#include <netinet/in.h>
#include <set>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace cdcmtkshim;

namespace {

const char *const kVerification = UID_VerificationSOPClass;
// The storage SOP classes a dose report arrives as. Listed one by one: a
// DCMTK profile silently stops at 128 presentation contexts, so "all storage
// classes" would lose the dose SR (see docs/conformance-statement.md).
const char *const kStorageClasses[] = {
    UID_XRayRadiationDoseSRStorage,  // 1.2.840.10008.5.1.4.1.1.88.67
    UID_EnhancedSRStorage,           // 1.2.840.10008.5.1.4.1.1.88.22
    UID_ComprehensiveSRStorage,      // 1.2.840.10008.5.1.4.1.1.88.33
};
const char *const kTransferSyntaxes[] = {
    UID_LittleEndianExplicitTransferSyntax,
    UID_LittleEndianImplicitTransferSyntax,
    UID_DeflatedExplicitVRLittleEndianTransferSyntax,
    UID_BigEndianExplicitTransferSyntax,
};
// The CT image classes a patient's size is measured on.
const char *const kImageClasses[] = {
    UID_CTImageStorage,                        // 1.2.840.10008.5.1.4.1.1.2
    UID_EnhancedCTImageStorage,                // 1.2.840.10008.5.1.4.1.1.2.1
    UID_LegacyConvertedEnhancedCTImageStorage, // 1.2.840.10008.5.1.4.1.1.2.2
};
// Images also in the compressed syntaxes the shim has DCMTK decoders for.
// JPEG 2000 is not offered (DCMTK 3.6.7 cannot decode it), so a sender
// falls back to one of these or to an uncompressed syntax.
const char *const kImageTransferSyntaxes[] = {
    UID_JPEGProcess14SV1TransferSyntax,        // 1.2.840.10008.1.2.4.70 JPEG lossless SV1
    UID_JPEGProcess14TransferSyntax,           // .57 JPEG lossless
    UID_JPEGLSLosslessTransferSyntax,          // .80
    UID_JPEGLSLossyTransferSyntax,             // .81 near-lossless
    UID_RLELosslessTransferSyntax,             // .5
    UID_JPEGProcess1TransferSyntax,            // .50 baseline
    UID_JPEGProcess2_4TransferSyntax,          // .51 extended (12-bit)
};

// DIMSE status codes (PS3.4 B.2.3, PS3.7 C).
const Uint16 kStatusOutOfResources = 0xA700;

std::string trimmed(const char *s) {
    std::string value = s ? s : "";
    while (!value.empty() && (value.back() == ' ' || value.back() == '\0')) value.pop_back();
    size_t start = 0;
    while (start < value.size() && value[start] == ' ') ++start;
    return value.substr(start);
}

// The peer's address without a port suffix.
std::string hostPart(const char *address) {
    std::string value = address ? address : "";
    const size_t colon = value.rfind(':');
    if (colon != std::string::npos && value.find(':') == colon) value.resize(colon);
    return value;
}

// Serialises a received dataset as a Part-10 file (explicit VR little
// endian, meta header recomputed), the form every other source delivers.
bool part10Bytes(DcmDataset *dataset, std::vector<uint8_t> &out, std::string &error) {
    // Compressed pixel data is kept as received (the image reader decodes
    // it); everything else is written explicit VR little endian.
    const E_TransferSyntax received = dataset->getOriginalXfer();
    const E_TransferSyntax written = DcmXfer(received).isEncapsulated() ? received : EXS_LittleEndianExplicit;
    DcmFileFormat file(dataset, OFFalse);  // takes ownership of the dataset
    std::vector<char> buffer(1 << 16);
    DcmOutputBufferStream stream(buffer.data(), buffer.size());
    file.transferInit();
    OFCondition condition;
    for (;;) {
        condition = file.write(stream, written, EET_ExplicitLength, nullptr);
        void *chunk = nullptr;
        offile_off_t length = 0;
        stream.flushBuffer(chunk, length);
        if (length > 0) out.insert(out.end(), static_cast<uint8_t *>(chunk), static_cast<uint8_t *>(chunk) + length);
        if (condition != EC_StreamNotifyClient) break;
    }
    file.transferEnd();
    if (condition.bad()) {
        error = condition.text();
        return false;
    }
    return true;
}

struct Receiver {
    std::string aeTitle;
    bool requireCalledAETitle = true;
    std::set<std::string> allowedCallingAETitles;
    std::set<std::string> allowedPeers;
    CDCMTKShim_StoreHandler onStore = nullptr;
    CDCMTKShim_SCPEventHandler onEvent = nullptr;
    void *context = nullptr;

    void event(int32_t kind, const std::string &message) const {
        if (onEvent != nullptr) onEvent(context, kind, message.c_str());
    }
};

// Serves one association on a pool thread.
class ReceiverSCP : public DcmThreadSCP {
  public:
    explicit ReceiverSCP(const Receiver &receiver) : receiver_(receiver) {}

  protected:
    void notifyAssociationRequest(const T_ASC_Parameters &params, DcmSCPActionType &desiredAction) override {
        callingAETitle_ = trimmed(params.DULparams.callingAPTitle);
        peer_ = hostPart(params.DULparams.callingPresentationAddress);
        if (!receiver_.allowedPeers.empty() && receiver_.allowedPeers.count(peer_) == 0) {
            receiver_.event(CDCMTKShim_SCPEventRefused, describe() + " refused: peer address not on the allow list");
            desiredAction = DCMSCP_ACTION_REFUSE_ASSOCIATION;
        }
    }

    OFBool checkCalledAETitleAccepted(const OFString &calledAE) override {
        const std::string called = trimmed(calledAE.c_str());
        if (!receiver_.requireCalledAETitle || called == receiver_.aeTitle) return OFTrue;
        receiver_.event(CDCMTKShim_SCPEventRefused,
                        describe() + " refused: called AE title '" + called + "' is not '" + receiver_.aeTitle + "'");
        return OFFalse;
    }

    OFBool checkCallingAETitleAccepted(const OFString &callingAE) override {
        const std::string calling = trimmed(callingAE.c_str());
        if (receiver_.allowedCallingAETitles.empty() || receiver_.allowedCallingAETitles.count(calling) > 0)
            return OFTrue;
        receiver_.event(CDCMTKShim_SCPEventRefused, describe() + " refused: calling AE title not on the allow list");
        return OFFalse;
    }

    // DcmSCP passes the *called* address here; peers are checked in
    // notifyAssociationRequest instead.
    OFBool checkCallingHostAccepted(const OFString &) override { return OFTrue; }

    void notifyAssociationAcknowledge() override {
        receiver_.event(CDCMTKShim_SCPEventAccepted, describe() + " accepted");
    }

    void notifyDIMSEError(const OFCondition &condition) override {
        receiver_.event(CDCMTKShim_SCPEventProblem, describe() + ": " + condition.text());
    }

    OFCondition handleECHORequest(T_DIMSE_C_EchoRQ &request, const T_ASC_PresentationContextID presID) override {
        receiver_.event(CDCMTKShim_SCPEventEcho, describe() + " C-ECHO");
        return DcmThreadSCP::handleECHORequest(request, presID);
    }

    OFCondition handleIncomingCommand(T_DIMSE_Message *message, const DcmPresentationContextInfo &info) override {
        if (message->CommandField != DIMSE_C_STORE_RQ) return DcmThreadSCP::handleIncomingCommand(message, info);
        T_DIMSE_C_StoreRQ &request = message->msg.CStoreRQ;
        DcmDataset *dataset = nullptr;
        OFCondition condition = receiveSTORERequest(request, info.presentationContextID, dataset);
        if (condition.bad()) {
            delete dataset;
            receiver_.event(CDCMTKShim_SCPEventProblem, describe() + ": C-STORE data not received: " + condition.text());
            return condition;
        }
        Uint16 status = kStatusOutOfResources;
        try {
            std::vector<uint8_t> bytes;
            std::string error;
            DcmDataset *owned = dataset;
            dataset = nullptr;
            if (part10Bytes(owned, bytes, error)) {
                CDCMTKShim_ReceivedObject object;
                object.callingAETitle = callingAETitle_.c_str();
                object.peerAddress = peer_.c_str();
                object.sopClassUID = request.AffectedSOPClassUID;
                object.sopInstanceUID = request.AffectedSOPInstanceUID;
                object.transferSyntaxUID = info.acceptedTransferSyntax.c_str();
                object.bytes = bytes.data();
                object.length = bytes.size();
                status = receiver_.onStore(receiver_.context, &object);
            } else {
                receiver_.event(CDCMTKShim_SCPEventProblem, describe() + ": cannot encode received object: " + error);
            }
        } catch (...) {
            delete dataset;
            receiver_.event(CDCMTKShim_SCPEventProblem, describe() + ": exception while storing; answered 0xA700");
            status = kStatusOutOfResources;
        }
        return sendSTOREResponse(info.presentationContextID, request, status);
    }

  private:
    std::string describe() const { return "association from '" + callingAETitle_ + "' at " + peer_; }

    const Receiver &receiver_;
    std::string callingAETitle_;
    std::string peer_;
};

// The acceptors: maximum + 1 threads, each taking one connection at a time
// through negotiation (ASC_receiveAssociation) and then serving it, so a
// peer that is slow to send its association request holds one thread, never
// the others. The extra thread refuses associations beyond the maximum
// with "local limit exceeded" instead of leaving them in the kernel's
// backlog. DCMTK's DcmSCPPool was used first: 300 connect/close cycles (a
// port scan, a health check) made it corrupt the heap ("malloc(): unsorted
// double linked list corrupted") within seconds; here each thread owns its
// SCP on its stack.
class ReceiverPool {
  public:
    explicit ReceiverPool(const Receiver &receiver) : receiver_(receiver) {}

    DcmSCPConfig &getConfig() { return config_; }
    void setMaxThreads(uint16_t maximum) { maximum_ = maximum; }
    void requestStop() {
        stop_.store(true);
        // Wakes acceptors blocked in accept(2) on the shared listening socket.
        const int socket = listenSocket_.load();
        if (socket >= 0) ::shutdown(socket, SHUT_RDWR);
    }

    OFCondition listen() {
        T_ASC_Network *network = nullptr;
        OFCondition condition = ASC_initializeNetwork(NET_ACCEPTOR, static_cast<int>(config_.getPort()), config_.getACSETimeout(), &network);
        if (condition.bad()) return condition;
        ConnectionGuard guard(config_.getACSETimeout(), config_.getDIMSETimeout(), [this](const std::string &message) {
            receiver_.event(CDCMTKShim_SCPEventRefused, message);
        });
        GuardedTransportLayer layer(guard);
        condition = ASC_setTransportLayer(network, &layer, 0);
        if (condition.bad()) {
            ASC_dropNetwork(&network);
            return condition;
        }
        listenSocket_.store(DUL_networkSocket(network->network));
        if (stop_.load()) ::shutdown(listenSocket_.load(), SHUT_RDWR);
        const DcmSharedSCPConfig shared(config_);
        std::vector<std::thread> acceptors;
        for (int i = 0; i <= maximum_; ++i) acceptors.emplace_back([this, network, shared] { accept(network, shared); });
        for (std::thread &acceptor : acceptors) acceptor.join();
        listenSocket_.store(-1);
        ASC_dropNetwork(&network);
        return EC_Normal;
    }

  private:
    void accept(T_ASC_Network *network, const DcmSharedSCPConfig &shared) {
        while (!stop_.load()) {
            T_ASC_Association *assoc = nullptr;
            // Waits at most a second for a connection, so a stop is seen
            // within one; the request itself is bounded by the guard.
            OFCondition condition = ASC_receiveAssociation(network, &assoc, config_.getMaxReceivePDULength(), nullptr, nullptr, OFFalse, DUL_NOBLOCK, 1);
            if (condition.good() && !stop_.load() && serving_.fetch_add(1) < maximum_) {
                {
                    ReceiverSCP scp(receiver_);
                    scp.setSharedConfig(shared);
                    scp.run(assoc);  // takes the association over, frees it
                }
                serving_.fetch_sub(1);
                continue;
            }
            if (condition.good()) {
                serving_.fetch_sub(1);
                T_ASC_RejectParameters reject;
                reject.result = ASC_RESULT_REJECTEDTRANSIENT;
                reject.source = ASC_SOURCE_SERVICEPROVIDER_PRESENTATION_RELATED;
                reject.reason = ASC_REASON_SP_PRES_LOCALLIMITEXCEEDED;
                ASC_rejectAssociation(assoc, &reject);
                receiver_.event(CDCMTKShim_SCPEventRefused, "association refused: all " + std::to_string(maximum_) + " associations busy");
            }
            if (assoc != nullptr) {
                ASC_dropSCPAssociation(assoc);
                ASC_destroyAssociation(&assoc);
            }
        }
    }

    const Receiver &receiver_;
    DcmSCPConfig config_;
    uint16_t maximum_ = 16;
    std::atomic<bool> stop_{false};
    std::atomic<int> serving_{0};
    std::atomic<int> listenSocket_{-1};
};

// Binds and releases the port, so a port in use or a privileged port is
// reported when the SCP is created instead of inside the listen loop.
bool portIsFree(uint16_t port, std::string &error) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        error = std::string("cannot create a socket: ") + std::strerror(errno);
        return false;
    }
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    sockaddr_in address;
    std::memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    const bool bound = ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) == 0;
    const int bindErrno = errno;
    ::close(fd);
    if (!bound) {
        error = "cannot listen on port " + std::to_string(port) + ": " + std::strerror(bindErrno);
        if (bindErrno == EACCES) error += " (ports below 1024 need CAP_NET_BIND_SERVICE)";
    }
    return bound;
}

}  // namespace

struct CDCMTKShim_SCP {
    Receiver receiver;
    ReceiverPool pool;
    CDCMTKShim_SCP() : pool(receiver) {}
};

namespace {

OFList<OFString> transferSyntaxList() {
    OFList<OFString> list;
    for (const char *uid : kTransferSyntaxes) list.push_back(uid);
    return list;
}

bool configure(CDCMTKShim_SCP &scp, const CDCMTKShim_SCPSettings &settings, std::string &error) {
    DcmSCPConfig &config = scp.pool.getConfig();
    config.setAETitle(settings.aeTitle);
    config.setPort(settings.port);
    config.setMaxReceivePDULength(settings.maxPDU);
    config.setACSETimeout(settings.acseTimeoutSeconds);
    config.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    config.setDIMSETimeout(settings.idleTimeoutSeconds);
    // Poll for a stop request every second.
    config.setConnectionBlockingMode(DUL_NOBLOCK);
    config.setConnectionTimeout(1);
    config.setHostLookupEnabled(OFFalse);
    const OFList<OFString> syntaxes = transferSyntaxList();
    OFCondition condition = config.addPresentationContext(kVerification, syntaxes);
    for (const char *sopClass : kStorageClasses) {
        if (condition.good()) condition = config.addPresentationContext(sopClass, syntaxes);
    }
    OFList<OFString> imageSyntaxes = syntaxes;
    for (const char *uid : kImageTransferSyntaxes) imageSyntaxes.push_back(uid);
    for (const char *sopClass : kImageClasses) {
        if (condition.good()) condition = config.addPresentationContext(sopClass, imageSyntaxes);
    }
    if (condition.bad()) {
        error = std::string("cannot configure presentation contexts: ") + condition.text();
        return false;
    }
    scp.pool.setMaxThreads(settings.maxAssociations);
    return true;
}

}  // namespace

extern "C" {

CDCMTKShim_SCP *CDCMTKShim_SCP_create(const CDCMTKShim_SCPSettings *settings, CDCMTKShim_StoreHandler onStore,
                                      CDCMTKShim_SCPEventHandler onEvent, void *context, CDCMTKShim_Status *status) {
    return guarded(status, static_cast<CDCMTKShim_SCP *>(nullptr), [&]() -> CDCMTKShim_SCP * {
        if (settings == nullptr || settings->aeTitle == nullptr || onStore == nullptr) {
            setStatus(status, CDCMTKShim_ErrorInvalidArgument, 0, 0, "missing SCP settings or store handler");
            return nullptr;
        }
        if (!initializeOnce()) {
            setStatus(status, CDCMTKShim_ErrorIO, 0, 0, "DCMTK data dictionary not loaded");
            return nullptr;
        }
        std::string error;
        if (!portIsFree(settings->port, error)) {
            setStatus(status, CDCMTKShim_ErrorNetwork, 0, 0, error.c_str());
            return nullptr;
        }
        CDCMTKShim_SCP *scp = new CDCMTKShim_SCP();
        scp->receiver.aeTitle = trimmed(settings->aeTitle);
        scp->receiver.requireCalledAETitle = settings->requireCalledAETitle != 0;
        for (size_t i = 0; i < settings->allowedCallingAETitleCount; ++i)
            scp->receiver.allowedCallingAETitles.insert(trimmed(settings->allowedCallingAETitles[i]));
        for (size_t i = 0; i < settings->allowedPeerCount; ++i)
            scp->receiver.allowedPeers.insert(trimmed(settings->allowedPeers[i]));
        scp->receiver.onStore = onStore;
        scp->receiver.onEvent = onEvent;
        scp->receiver.context = context;
        if (!configure(*scp, *settings, error)) {
            delete scp;
            setStatus(status, CDCMTKShim_ErrorInvalidArgument, 0, 0, error.c_str());
            return nullptr;
        }
        setOK(status);
        return scp;
    });
}

int CDCMTKShim_SCP_run(CDCMTKShim_SCP *scp, CDCMTKShim_Status *status) {
    return guarded(status, 0, [&]() -> int {
        if (scp == nullptr) {
            setStatus(status, CDCMTKShim_ErrorInvalidArgument, 0, 0, "null SCP");
            return 0;
        }
        const OFCondition condition = scp->pool.listen();
        // Listening may reset this process-wide flag; the reader needs it on.
        dcmEnableAutomaticInputDataCorrection.set(OFTrue);
        if (condition.bad()) {
            setStatus(status, CDCMTKShim_ErrorNetwork, condition.module(), condition.code(), condition.text());
            return 0;
        }
        setOK(status);
        return 1;
    });
}

void CDCMTKShim_SCP_stop(CDCMTKShim_SCP *scp) {
    if (scp == nullptr) return;
    guarded(static_cast<CDCMTKShim_Status *>(nullptr), 0, [&]() -> int {
        scp->pool.requestStop();
        return 1;
    });
}

void CDCMTKShim_SCP_free(CDCMTKShim_SCP *scp) {
    guarded(static_cast<CDCMTKShim_Status *>(nullptr), 0, [&]() -> int {
        delete scp;
        return 1;
    });
}

}  // extern "C"

