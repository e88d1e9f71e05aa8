// Bounds how long one PDU may take to arrive on a storage SCP connection.
// Internal to the shim.
#ifndef CDCMTKSHIM_CONNECTION_GUARD_HPP
#define CDCMTKSHIM_CONNECTION_GUARD_HPP

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmnet/dcmlayer.h"
#include "dcmtk/dcmnet/dcmtrans.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace cdcmtkshim {

class GuardedConnection;

// DCMTK's timeouts bound each read, not a PDU: a peer that sends part of an
// A-ASSOCIATE-RQ and goes quiet, or one byte a second, holds a thread for
// ever. Every connection the listener accepts is a GuardedConnection, which
// follows the PDU framing of the bytes it reads (PS3.8 9.3: type, reserved,
// 4-byte length); the guard's thread shuts down the socket of any
// connection whose PDU in progress is older than its limit: the ACSE
// timeout for the first PDU (the association request), the idle timeout
// for every later one. DCMTK's read then fails and it drops the association.
class ConnectionGuard {
  public:
    using Report = std::function<void(const std::string &)>;

    ConnectionGuard(unsigned firstPDUSeconds, unsigned laterPDUSeconds, Report report);
    ~ConnectionGuard();

    void add(GuardedConnection *connection);
    void remove(GuardedConnection *connection);

    unsigned firstPDUSeconds() const { return firstPDUSeconds_; }
    unsigned laterPDUSeconds() const { return laterPDUSeconds_; }

  private:
    void watch();

    const unsigned firstPDUSeconds_;
    const unsigned laterPDUSeconds_;
    Report report_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::set<GuardedConnection *> connections_;
    bool stopping_ = false;
    std::thread thread_;
};

class GuardedConnection : public DcmTCPConnection {
  public:
    GuardedConnection(DcmNativeSocketType socket, ConnectionGuard &guard);
    ~GuardedConnection() override;

    ssize_t read(void *buffer, size_t count) override;

    // Milliseconds (steady clock) since the PDU in progress began, or -1
    // when none is in progress; and whether it is the first PDU.
    int64_t pduStartedAt() const { return pduStartedAt_.load(); }
    bool onFirstPDU() const { return pdusCompleted_.load() == 0; }
    // Ends the connection from the guard's thread: the blocked read returns.
    void cutOff();

  private:
    void follow(const unsigned char *bytes, size_t count);

    ConnectionGuard &guard_;
    DcmNativeSocketType socket_;
    std::atomic<int64_t> pduStartedAt_{-1};
    std::atomic<uint64_t> pdusCompleted_{0};
    // PDU framing: header bytes seen of the current PDU, and body bytes left.
    unsigned char header_[6] = {0, 0, 0, 0, 0, 0};
    size_t headerFill_ = 0;
    uint64_t bodyLeft_ = 0;
};

// The transport layer DCMTK asks for every accepted connection.
class GuardedTransportLayer : public DcmTransportLayer {
  public:
    explicit GuardedTransportLayer(ConnectionGuard &guard) : guard_(guard) {}
    DcmTransportConnection *createConnection(DcmNativeSocketType openSocket, OFBool useSecureLayer) override;

  private:
    ConnectionGuard &guard_;
};

int64_t steadyMilliseconds();

}  // namespace cdcmtkshim

#endif
