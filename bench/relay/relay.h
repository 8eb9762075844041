// tern-relay: the latency floor of the benchmark table. A bare libuv relay that speaks just enough of
// the NATS protocol for tern-bench's `latency` and `reqrep` clients: INFO on accept, PONG for PING,
// CONNECT accepted and ignored, SUB and UNSUB kept in a plain list, and each PUB written as one MSG to
// the first subscription whose subject matches. No index, no cache, no fan-out, no queue groups, no
// headers, no verbose mode, no authentication, no limits beyond the parser's. It shows what the kernel
// and libuv cost on their own, so that the table can say how far ternd is from that floor.
#pragma once

#include <uv.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace tern::bench::relay {

class RelayConnection;

struct RelaySubscription {
  RelayConnection* subscriber = nullptr;
  std::string subject;
  std::string sid;
};

// The listening socket and the subscription list. One libuv loop, one thread.
class Relay {
 public:
  explicit Relay(uv_loop_t* loop) noexcept : loop_(loop) {}
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Binds `host`:`port` (port 0: any free port) and starts accepting. Returns an empty string on
  // success, else what failed.
  std::string listen(const std::string& host, int port);
  int bound_port() const noexcept { return bound_port_; }

  uv_loop_t* loop() const noexcept { return loop_; }
  const std::string& info_frame() const noexcept { return info_frame_; }
  // The loop-wide read buffer. Every read is parsed completely before the next one lands, and the
  // parser copies an op that straddles two reads, so one buffer serves every connection.
  std::array<char, 64 * 1024>& read_buffer() noexcept { return read_buffer_; }

  void subscribe(RelayConnection* subscriber, std::string_view subject, std::string_view sid);
  void unsubscribe(RelayConnection* subscriber, std::string_view sid) noexcept;
  // Drops every subscription of a connection that is closing.
  void forget(RelayConnection* subscriber) noexcept;
  // The first subscription whose subject matches the literal `subject`, or nullptr. The pointer is
  // valid until the subscription list changes.
  const RelaySubscription* receiver(std::string_view subject) const noexcept;

 private:
  static void on_connection(uv_stream_t* listener, int status) noexcept;

  uv_loop_t* loop_;
  uv_tcp_t listener_{};
  int bound_port_ = 0;
  std::string info_frame_;
  std::vector<RelaySubscription> subscriptions_;
  std::array<char, 64 * 1024> read_buffer_{};
};

}  // namespace tern::bench::relay
