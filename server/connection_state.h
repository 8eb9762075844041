// The lifetime of a client connection as one state, with its transitions in one place, and why a
// connection closed.
#pragma once

#include <cstdint>
#include <string_view>

namespace tern::server {

enum class ConnectionState : std::uint8_t {
  kAwaitingAuth,    // Authentication is required and no CONNECT has passed it yet. Reading.
  kAuthenticating,  // A bcrypt check runs on the thread pool. Reads paused; the rest of the read waits.
  kOpen,            // Authenticated, or no authentication required. Reading.
  kStalled,         // Open, with reads paused while a receiver it fed drains (backpressure).
  kDraining,        // Shutdown: not reading; closes once what is queued has been written.
  kClosing,         // close() ran: out of the index; the handles close at the end of the loop turn.
  kClosed,          // The handles are closing; the object is deleted in the last close callback.
};

// Whether the socket is read in `state`.
constexpr bool reads_in(ConnectionState state) noexcept {
  return state == ConnectionState::kAwaitingAuth || state == ConnectionState::kOpen;
}

constexpr bool is_closing(ConnectionState state) noexcept {
  return state == ConnectionState::kClosing || state == ConnectionState::kClosed;
}

// The transitions a connection may take; anything else is a bug.
constexpr bool may_move(ConnectionState from, ConnectionState to) noexcept {
  using S = ConnectionState;
  if (from == to) return false;
  switch (from) {
    case S::kAwaitingAuth:
      return to == S::kAuthenticating || to == S::kOpen || to == S::kDraining || to == S::kClosing;
    case S::kAuthenticating:
      // Back to kAwaitingAuth never happens: a failed check closes the connection.
      return to == S::kOpen || to == S::kClosing;
    case S::kOpen:
      return to == S::kAuthenticating || to == S::kStalled || to == S::kDraining || to == S::kClosing;
    case S::kStalled:
      return to == S::kOpen || to == S::kDraining || to == S::kClosing;
    case S::kDraining:
      return to == S::kClosing;
    case S::kClosing:
      return to == S::kClosed;
    case S::kClosed:
      return false;
  }
  return false;
}

// Why a connection closed; it decides the log line and whether the server counts anything.
enum class CloseReason : std::uint8_t {
  kClientClosed,
  kReadError,
  kWriteError,
  kProtocolViolation,
  kParseError,
  kAuthenticationTimeout,
  kAuthorizationViolation,
  kMaxPayloadExceeded,
  kMaxControlLineExceeded,
  kMaxConnectionsExceeded,
  kBadClientProtocolVersion,
  kNoRespondersRequiresHeaders,
  kStaleConnection,
  kSlowConsumerPendingBytes,
  kSlowConsumerWriteDeadline,
  kServerShutdown,
};

std::string_view close_reason_text(CloseReason reason) noexcept;

constexpr bool is_slow_consumer(CloseReason reason) noexcept {
  return reason == CloseReason::kSlowConsumerPendingBytes ||
         reason == CloseReason::kSlowConsumerWriteDeadline;
}

}  // namespace tern::server
