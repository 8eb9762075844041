// A connection's output as one value: the queued bytes, their budget (max_pending), the write in
// flight, and the high-water mark above which the receiver counts as congested. No sockets: the
// connection hands gather()'s buffers to libuv and reports back what was written.
#pragma once

#include <cassert>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <new>

#include "server/outbound.h"

namespace tern::server {

class OutboundQueue {
 public:
  using Clock = std::chrono::steady_clock;

  explicit OutboundQueue(ChunkPool& pool) noexcept : buffer_(pool) {}

  // Room for `n` contiguous bytes, or null when queueing them would pass `budget` bytes pending (or
  // memory ran out): the verdict that makes the receiver a slow consumer. A non-null result must be
  // followed by commit().
  char* reserve(std::size_t n, std::int64_t budget) noexcept {
    if (static_cast<std::int64_t>(buffer_.pending() + n) > budget) return nullptr;
    try {
      return buffer_.reserve(n);
    } catch (const std::bad_alloc&) {
      return nullptr;
    }
  }
  void commit(std::size_t n) noexcept { buffer_.commit(n); }

  // Bytes queued and not yet confirmed written, the write in flight included.
  std::size_t pending() const noexcept { return buffer_.pending(); }
  bool empty() const noexcept { return buffer_.empty(); }
  // Above half the budget, as nats-server's stall gate: publishers feeding this receiver should pause.
  static bool congested(std::size_t pending, std::int64_t budget) noexcept {
    return static_cast<std::int64_t>(pending) > budget / 2;
  }

  // The first unsent bytes as buffers for a write. Precondition: no write is in flight.
  std::size_t gather(uv_buf_t* buffers, std::size_t max_buffers, std::size_t max_bytes,
                     std::size_t& total) const noexcept {
    assert(!write_in_flight());
    return buffer_.gather(buffers, max_buffers, max_bytes, total);
  }
  // A non-blocking write took `n` bytes. Precondition: no write is in flight, n <= pending().
  void consume(std::size_t n) noexcept {
    assert(!write_in_flight() && n <= pending());
    buffer_.consume(n);
  }

  // An asynchronous write of `n` bytes (what gather() described) has started: until it ends, those
  // bytes stay where they are and nothing is consumed or cleared under it.
  void begin_write(std::size_t n, Clock::time_point now) noexcept {
    assert(!write_in_flight() && n > 0 && n <= pending());
    in_flight_ = n;
    write_started_ = now;
  }
  // The asynchronous write ended; on success its bytes are consumed.
  void end_write(bool succeeded) noexcept {
    assert(write_in_flight());
    const std::size_t written = in_flight_;
    in_flight_ = 0;
    if (succeeded) buffer_.consume(written);
  }
  bool write_in_flight() const noexcept { return in_flight_ != 0; }
  Clock::time_point write_started() const noexcept { return write_started_; }

  // Drops what is queued and will never be sent. Bytes under a write in flight stay until it ends:
  // libuv still points at them, and the pool would hand them to another connection.
  void discard() noexcept {
    if (!write_in_flight()) buffer_.clear();
  }

 private:
  OutboundBuffer buffer_;
  std::size_t in_flight_ = 0;
  Clock::time_point write_started_{};
};

}  // namespace tern::server
