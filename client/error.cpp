#include "client/error.h"

namespace tern::client {
namespace {

class ClientCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "tern.client"; }

  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::kOk:
        return "success";
      case Errc::kInvalidUrl:
        return "invalid server URL";
      case Errc::kInvalidSubject:
        return "invalid subject";
      case Errc::kInvalidHeader:
        return "invalid header";
      case Errc::kInvalidArgument:
        return "invalid argument";
      case Errc::kConnectionFailed:
        return "could not connect to any server";
      case Errc::kAuthorizationViolation:
        return "authorization violation";
      case Errc::kServerError:
        return "server reported an error";
      case Errc::kPermissionsViolation:
        return "permissions violation";
      case Errc::kProtocolError:
        return "protocol error";
      case Errc::kConnectionClosed:
        return "connection closed";
      case Errc::kConnectionLost:
        return "connection lost";
      case Errc::kTimeout:
        return "timeout";
      case Errc::kNoResponders:
        return "no responders";
      case Errc::kReconnectBufferFull:
        return "reconnect buffer full";
      case Errc::kMaxPayloadExceeded:
        return "maximum payload exceeded";
      case Errc::kDraining:
        return "connection is draining";
      case Errc::kWouldDeadlock:
        return "blocking call on the client's I/O thread";
      case Errc::kStaleConnection:
        return "stale connection";
      case Errc::kOutboundFull:
        return "outbound buffer full: the server is not reading fast enough";
    }
    return "unknown tern client error";
  }
};

}  // namespace

const std::error_category& client_category() noexcept {
  static const ClientCategory category;
  return category;
}

}  // namespace tern::client
