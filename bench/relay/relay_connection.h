// One client of tern-relay. Reads are parsed with the protocol's parser and acted on at once; each
// frame the relay sends goes out with uv_try_write straight away, and what the socket does not take is
// queued and handed to uv_write, with later frames waiting behind it so that order holds.
#pragma once

#include <uv.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "protocol/parser.h"

namespace tern::bench::relay {

class Relay;

class RelayConnection {
 public:
  // Accepts the pending connection on `listener`, sends INFO and starts reading. Failures are logged
  // and close the new connection.
  static void accept(Relay& relay, uv_stream_t* listener) noexcept;

  RelayConnection(const RelayConnection&) = delete;
  RelayConnection& operator=(const RelayConnection&) = delete;

  // Sends `publish` (a PUB) to this connection as a MSG under subscription `sid`.
  // Precondition: `publish`'s views and `sid` stay valid for the duration of the call.
  void deliver(std::string_view sid, const protocol::Op& publish) noexcept;

 private:
  explicit RelayConnection(Relay& relay) noexcept;
  ~RelayConnection() = default;

  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buffer) noexcept;
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer) noexcept;
  static void on_write(uv_write_t* request, int status) noexcept;
  static void on_close(uv_handle_t* handle) noexcept;

  void process(const protocol::Op& op) noexcept;
  // Writes the pieces now, or queues them behind a write in flight. Precondition: at most three pieces.
  void send(std::initializer_list<std::string_view> pieces) noexcept;
  // Hands everything queued to uv_write. Precondition: no write is in flight.
  void write_queued() noexcept;
  // Drops the connection's subscriptions and closes it; the object is deleted in on_close. Logs `why`
  // unless it is empty.
  void close(std::string_view why) noexcept;

  Relay& relay_;
  uv_tcp_t tcp_{};
  uv_write_t write_request_{};
  protocol::Parser parser_;
  std::string queued_;     // Bytes waiting for the write in flight to finish.
  std::string in_flight_;  // Bytes under uv_write; untouched until on_write.
  bool write_in_flight_ = false;
  bool closing_ = false;
};

}  // namespace tern::bench::relay
