// See ConnectionGuard.hpp for why every accepted connection is guarded.
#include "ConnectionGuard.hpp"

#include <chrono>
#include <sys/socket.h>

namespace cdcmtkshim {

int64_t steadyMilliseconds() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

ConnectionGuard::ConnectionGuard(unsigned firstPDUSeconds, unsigned laterPDUSeconds, Report report)
    : firstPDUSeconds_(firstPDUSeconds), laterPDUSeconds_(laterPDUSeconds), report_(std::move(report)) {
    thread_ = std::thread([this] { watch(); });
}

ConnectionGuard::~ConnectionGuard() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void ConnectionGuard::add(GuardedConnection *connection) {
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.insert(connection);
}

void ConnectionGuard::remove(GuardedConnection *connection) {
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.erase(connection);
}

void ConnectionGuard::watch() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, std::chrono::milliseconds(250));
        const int64_t now = steadyMilliseconds();
        for (GuardedConnection *connection : connections_) {
            const int64_t started = connection->pduStartedAt();
            if (started < 0) continue;
            const bool first = connection->onFirstPDU();
            const int64_t limit = 1000 * static_cast<int64_t>(first ? firstPDUSeconds_ : laterPDUSeconds_);
            if (now - started <= limit) continue;
            // Called under the lock, so the connection cannot be destroyed meanwhile.
            connection->cutOff();
            if (report_) {
                report_(std::string("connection closed: ") + (first ? "its association request" : "a PDU") +
                        " did not arrive whole within " + std::to_string(limit / 1000) + " s (" +
                        (first ? "acse_timeout_seconds" : "idle_timeout_seconds") + ")");
            }
        }
    }
}

GuardedConnection::GuardedConnection(DcmNativeSocketType socket, ConnectionGuard &guard)
    : DcmTCPConnection(socket), guard_(guard), socket_(socket) {
    // The association request is due from the moment of accept: a peer
    // that connects and sends nothing is cut off like one that stops halfway.
    pduStartedAt_.store(steadyMilliseconds());
    guard_.add(this);
}

GuardedConnection::~GuardedConnection() { guard_.remove(this); }

void GuardedConnection::cutOff() {
    ::shutdown(socket_, SHUT_RDWR);
    pduStartedAt_.store(-1);
}

ssize_t GuardedConnection::read(void *buffer, size_t count) {
    const ssize_t result = DcmTCPConnection::read(buffer, count);
    if (result > 0) follow(static_cast<const unsigned char *>(buffer), static_cast<size_t>(result));
    return result;
}

void GuardedConnection::follow(const unsigned char *bytes, size_t count) {
    size_t offset = 0;
    while (offset < count) {
        if (bodyLeft_ == 0 && headerFill_ == 0 && pdusCompleted_.load() > 0) pduStartedAt_.store(steadyMilliseconds());
        if (headerFill_ < sizeof(header_)) {
            header_[headerFill_++] = bytes[offset++];
            if (headerFill_ == sizeof(header_)) {
                bodyLeft_ = (uint64_t(header_[2]) << 24) | (uint64_t(header_[3]) << 16) | (uint64_t(header_[4]) << 8) | header_[5];
                if (bodyLeft_ == 0) {
                    headerFill_ = 0;
                    pduStartedAt_.store(-1);
                    pdusCompleted_.fetch_add(1);
                }
            }
            continue;
        }
        const size_t take = static_cast<size_t>(std::min<uint64_t>(bodyLeft_, count - offset));
        bodyLeft_ -= take;
        offset += take;
        if (bodyLeft_ == 0) {
            headerFill_ = 0;
            pduStartedAt_.store(-1);
            pdusCompleted_.fetch_add(1);
        }
    }
}

DcmTransportConnection *GuardedTransportLayer::createConnection(DcmNativeSocketType openSocket, OFBool useSecureLayer) {
    if (useSecureLayer) return nullptr;  // TLS is not offered by this listener
    return new GuardedConnection(openSocket, guard_);
}

}  // namespace cdcmtkshim
