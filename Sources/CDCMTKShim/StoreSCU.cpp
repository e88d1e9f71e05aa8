// The SCU of CDCMTKShim.h: C-ECHO, and C-STORE of files over one association.
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmnet/assoc.h"
#include "dcmtk/dcmnet/dimse.h"

#include "CDCMTKShim.h"
#include "ShimSupport.hpp"

#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <vector>

using namespace cdcmtkshim;

namespace {

const char *const kVerification = UID_VerificationSOPClass;

// One association as an SCU, through DCMTK's ASC/DIMSE calls (not DcmSCU,
// which keeps a rejection's result, source and reason to itself): the
// peer's reason is what an administrator needs ("Called AE Title Not
// Recognized"), as echoscu prints it.
class Association {
  public:
    ~Association() {
        if (assoc_ != nullptr) {
            if (released_) ASC_releaseAssociation(assoc_);
            else ASC_abortAssociation(assoc_);
            ASC_destroyAssociation(&assoc_);
        } else if (params_ != nullptr) {
            ASC_destroyAssociationParameters(&params_);
        }
        if (network_ != nullptr) ASC_dropNetwork(&network_);
    }

    // Contexts: one per (abstract syntax, transfer syntaxes) pair, ids 1, 3, 5…
    bool open(const CDCMTKShim_Peer &peer, const std::vector<std::pair<std::string, std::vector<std::string>>> &contexts,
              CDCMTKShim_Status *status) {
        timeout_ = static_cast<int>(peer.timeoutSeconds);
        OFCondition condition = ASC_initializeNetwork(NET_REQUESTOR, 0, timeout_, &network_);
        if (condition.good()) condition = ASC_createAssociationParameters(&params_, static_cast<long>(peer.maxPDU));
        if (condition.good()) condition = ASC_setAPTitles(params_, peer.callingAETitle, peer.calledAETitle, nullptr);
        const std::string address = std::string(peer.host) + ":" + std::to_string(peer.port);
        if (condition.good()) condition = ASC_setPresentationAddresses(params_, "localhost", address.c_str());
        T_ASC_PresentationContextID id = 1;
        for (const auto &context : contexts) {
            std::vector<const char *> syntaxes;
            for (const std::string &syntax : context.second) syntaxes.push_back(syntax.c_str());
            if (condition.good())
                condition = ASC_addPresentationContext(params_, id, context.first.c_str(), syntaxes.data(), static_cast<int>(syntaxes.size()));
            id = static_cast<T_ASC_PresentationContextID>(id + 2);
        }
        if (condition.bad()) {
            setStatus(status, CDCMTKShim_ErrorNetwork, condition.module(), condition.code(), condition.text());
            return false;
        }
        condition = ASC_requestAssociation(network_, params_, &assoc_);
        if (condition == DUL_ASSOCIATIONREJECTED) {
            T_ASC_RejectParameters reject;
            ASC_getRejectParameters(params_, &reject);
            OFString reason;
            ASC_printRejectParameters(reason, &reject);
            // DCMTK puts the reason on a line of its own.
            std::string text;
            for (size_t i = 0; i < reason.length(); ++i) {
                if (reason[i] == '\n') { if (i + 1 < reason.length()) text += ", "; }
                else text += reason[i];
            }
            const std::string message = "association rejected by " + std::string(peer.calledAETitle) + "@" + address + ": " + text;
            setStatus(status, CDCMTKShim_ErrorNetwork, condition.module(), condition.code(), message.c_str());
            return false;
        }
        if (condition.bad()) {
            const std::string message = "cannot associate with " + std::string(peer.calledAETitle) + "@" + address + ": " + condition.text();
            setStatus(status, CDCMTKShim_ErrorNetwork, condition.module(), condition.code(), message.c_str());
            return false;
        }
        released_ = true;
        return true;
    }

    T_ASC_Association *get() const { return assoc_; }
    int timeout() const { return timeout_; }
    bool connected() const { return assoc_ != nullptr; }
    void lost() { released_ = false; }

  private:
    T_ASC_Network *network_ = nullptr;
    T_ASC_Parameters *params_ = nullptr;
    T_ASC_Association *assoc_ = nullptr;
    int timeout_ = 30;
    bool released_ = false;
};

bool validPeer(const CDCMTKShim_Peer *peer, CDCMTKShim_Status *status) {
    if (peer == nullptr || peer->host == nullptr || peer->callingAETitle == nullptr || peer->calledAETitle == nullptr) {
        setStatus(status, CDCMTKShim_ErrorInvalidArgument, 0, 0, "incomplete peer");
        return false;
    }
    initializeOnce();
    return true;
}

struct FileToSend {
    std::string sopClass;
    std::string sopInstance;
    std::string transferSyntax;
    bool readable = false;
    std::string error;
};

FileToSend inspect(const char *path) {
    FileToSend file;
    DcmFileFormat format;
    // Values longer than 4 KB are not loaded: only the UIDs are needed here.
    const OFCondition condition = format.loadFile(path, EXS_Unknown, EGL_noChange, 4096);
    if (condition.bad()) {
        file.error = std::string("cannot read as DICOM: ") + condition.text();
        return file;
    }
    OFString sopClass, sopInstance;
    if (format.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, sopClass).bad() || sopClass.empty())
        format.getDataset()->findAndGetOFString(DCM_SOPClassUID, sopClass);
    if (format.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPInstanceUID, sopInstance).bad() || sopInstance.empty())
        format.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, sopInstance);
    if (sopClass.empty() || sopInstance.empty()) {
        file.error = "no SOP Class or SOP Instance UID";
        return file;
    }
    file.sopClass = sopClass.c_str();
    file.sopInstance = sopInstance.c_str();
    file.transferSyntax = DcmXfer(format.getDataset()->getOriginalXfer()).getXferID();
    file.readable = true;
    return file;
}

}  // namespace

extern "C" {

int CDCMTKShim_echo(const CDCMTKShim_Peer *peer, CDCMTKShim_Status *status) {
    return guarded(status, 0, [&]() -> int {
        if (!validPeer(peer, status)) return 0;
        Association association;
        if (!association.open(*peer, {{kVerification, {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax}}}, status))
            return 0;
        DIC_US response = 0;
        DcmDataset *detail = nullptr;
        const OFCondition condition = DIMSE_echoUser(association.get(), 1, DIMSE_NONBLOCKING, association.timeout(), &response, &detail);
        delete detail;
        if (condition.bad()) {
            association.lost();
            setStatus(status, CDCMTKShim_ErrorNetwork, condition.module(), condition.code(), condition.text());
            return 0;
        }
        if (response != STATUS_Success) {
            char message[64];
            std::snprintf(message, sizeof(message), "C-ECHO answered status 0x%04X", response);
            setStatus(status, CDCMTKShim_ErrorNetwork, 0, response, message);
            return 0;
        }
        setOK(status);
        return 1;
    });
}

int CDCMTKShim_send_files(const CDCMTKShim_Peer *peer, const char *const *paths, size_t count,
                          CDCMTKShim_SendResultHandler onResult, void *context, CDCMTKShim_Status *status) {
    return guarded(status, 0, [&]() -> int {
        if (!validPeer(peer, status)) return 0;
        if (paths == nullptr && count > 0) {
            setStatus(status, CDCMTKShim_ErrorInvalidArgument, 0, 0, "null path list");
            return 0;
        }
        std::vector<FileToSend> files;
        std::set<std::pair<std::string, std::string>> contexts;
        for (size_t i = 0; i < count; ++i) {
            files.push_back(inspect(paths[i]));
            if (files.back().readable) contexts.insert({files.back().sopClass, files.back().transferSyntax});
        }
        // One context per (SOP class, transfer syntax) the files use, each
        // also offering explicit and implicit little endian.
        std::vector<std::pair<std::string, std::vector<std::string>>> proposed;
        for (const auto &pair : contexts) {
            std::vector<std::string> syntaxes{pair.second};
            if (pair.second != UID_LittleEndianExplicitTransferSyntax) syntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
            if (pair.second != UID_LittleEndianImplicitTransferSyntax) syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
            proposed.push_back({pair.first, syntaxes});
        }
        Association association;
        if (!proposed.empty() && !association.open(*peer, proposed, status)) return 0;
        DIC_US messageID = 1;
        for (size_t i = 0; i < count; ++i) {
            CDCMTKShim_Status fileStatus;
            setOK(&fileStatus);
            const FileToSend &file = files[i];
            if (!file.readable) {
                setStatus(&fileStatus, CDCMTKShim_ErrorNotDICOM, 0, 0, file.error.c_str());
                if (onResult) onResult(context, i, 0, 0, &fileStatus);
                continue;
            }
            if (!association.connected()) {
                setStatus(&fileStatus, CDCMTKShim_ErrorNetwork, 0, 0, "association lost before this file");
                if (onResult) onResult(context, i, 0, 0, &fileStatus);
                continue;
            }
            T_ASC_PresentationContextID presID =
                ASC_findAcceptedPresentationContextID(association.get(), file.sopClass.c_str(), file.transferSyntax.c_str());
            if (presID == 0) presID = ASC_findAcceptedPresentationContextID(association.get(), file.sopClass.c_str());
            if (presID == 0) {
                const std::string message = "peer refused SOP class " + file.sopClass;
                setStatus(&fileStatus, CDCMTKShim_ErrorNetwork, 0, 0, message.c_str());
                if (onResult) onResult(context, i, 0, 0, &fileStatus);
                continue;
            }
            T_DIMSE_C_StoreRQ request;
            std::memset(&request, 0, sizeof(request));
            request.MessageID = messageID++;
            OFStandard::strlcpy(request.AffectedSOPClassUID, file.sopClass.c_str(), sizeof(request.AffectedSOPClassUID));
            OFStandard::strlcpy(request.AffectedSOPInstanceUID, file.sopInstance.c_str(), sizeof(request.AffectedSOPInstanceUID));
            request.DataSetType = DIMSE_DATASET_PRESENT;
            request.Priority = DIMSE_PRIORITY_MEDIUM;
            T_DIMSE_C_StoreRSP response;
            std::memset(&response, 0, sizeof(response));
            DcmDataset *detail = nullptr;
            const OFCondition condition = DIMSE_storeUser(association.get(), presID, &request, paths[i], nullptr, nullptr, nullptr,
                                                          DIMSE_NONBLOCKING, association.timeout(), &response, &detail);
            delete detail;
            if (condition.bad()) {
                setStatus(&fileStatus, CDCMTKShim_ErrorNetwork, condition.module(), condition.code(), condition.text());
                if (onResult) onResult(context, i, 0, 0, &fileStatus);
                // A failed exchange leaves the association in an unknown
                // state: the remaining files are not sent on it.
                association.lost();
                for (size_t j = i + 1; j < count; ++j) {
                    setStatus(&fileStatus, CDCMTKShim_ErrorNetwork, 0, 0, "association lost before this file");
                    if (onResult) onResult(context, j, 0, 0, &fileStatus);
                }
                setStatus(status, CDCMTKShim_ErrorNetwork, condition.module(), condition.code(), condition.text());
                return 0;
            }
            if (onResult) onResult(context, i, 1, response.DimseStatus, &fileStatus);
        }
        setOK(status);
        return 1;
    });
}

}  // extern "C"
