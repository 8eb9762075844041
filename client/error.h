// Errors of the client library as std::error_code values, and Expected<T>, the result type of calls
// that produce a value or fail. Exceptions are thrown only for misuse (for example reading the value of
// a failed Expected).
#pragma once

#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace tern::client {

enum class Errc {
  kOk = 0,
  kInvalidUrl = 1,          // A server URL could not be parsed.
  kInvalidSubject,          // Empty, or contains whitespace, or a wildcard where none is allowed.
  kInvalidHeader,           // A header key or value that cannot be written on the wire.
  kInvalidArgument,         // Another argument out of range (an empty queue name, a zero timeout).
  kConnectionFailed,        // No server could be reached (the last attempt's cause is reported too).
  kAuthorizationViolation,  // The server refused the credentials.
  kServerError,             // The server sent -ERR; the text goes to the async error callback.
  kPermissionsViolation,    // The server refused a publish or subscribe on permission grounds.
  kProtocolError,           // The server sent bytes the parser rejects.
  kConnectionClosed,        // The client is closed (or closing), or was closed while waiting.
  kConnectionLost,          // The connection dropped while this operation waited for the server.
  kTimeout,                 // A deadline passed (flush, request, drain, connect).
  kNoResponders,            // A request's subject had no subscriber (status 503).
  kReconnectBufferFull,     // A publish made while disconnected did not fit the reconnect buffer.
  kMaxPayloadExceeded,      // A message larger than the server's max_payload.
  kDraining,                // The client is draining and accepts no new subscriptions or requests.
  kWouldDeadlock,           // A blocking call made on the I/O thread, which it would block forever.
  kStaleConnection,         // The server stopped answering keep-alive pings.
  kOutboundFull,            // Options::max_pending_bytes reached: the server does not keep up.
};

const std::error_category& client_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), client_category()};
}

// Thrown by Expected::value() when it holds an error: reading a value that is not there is misuse.
class BadExpectedAccess : public std::logic_error {
 public:
  explicit BadExpectedAccess(std::error_code error)
      : std::logic_error("tern::client::Expected holds an error: " + error.message()), error_(error) {}
  std::error_code error() const noexcept { return error_; }

 private:
  std::error_code error_;
};

// A value or an error code, as std::expected<T, std::error_code> (C++23) would hold it.
template <typename T>
class Expected {
 public:
  Expected(T value) : storage_(std::in_place_index<0>, std::move(value)) {}     // NOLINT: implicit by design.
  Expected(std::error_code error) : storage_(std::in_place_index<1>, error) {}  // NOLINT
  // Any error code enum (Errc, jetstream::Errc...), found by its make_error_code.
  template <typename E, std::enable_if_t<std::is_error_code_enum_v<E>, int> = 0>
  Expected(E error) : storage_(std::in_place_index<1>, make_error_code(error)) {}  // NOLINT

  bool has_value() const noexcept { return storage_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    check();
    return std::get<0>(storage_);
  }
  const T& value() const& {
    check();
    return std::get<0>(storage_);
  }
  T&& value() && {
    check();
    return std::get<0>(std::move(storage_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The error; a default (success) error_code when a value is held.
  std::error_code error() const noexcept { return has_value() ? std::error_code() : std::get<1>(storage_); }

 private:
  void check() const {
    if (!has_value()) throw BadExpectedAccess(std::get<1>(storage_));
  }

  std::variant<T, std::error_code> storage_;
};

}  // namespace tern::client

template <>
struct std::is_error_code_enum<tern::client::Errc> : std::true_type {};
