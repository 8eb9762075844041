// A connection's queue of bytes to send: a chain of fixed chunks that never move once allocated, so a
// write in flight can keep pointing into them while more bytes are appended behind it.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tern::server {

struct OutboundChunk {
  OutboundChunk* next = nullptr;
  std::uint32_t capacity = 0;
  std::uint32_t start = 0;  // First unsent byte.
  std::uint32_t end = 0;    // One past the last written byte.
  char* data() noexcept { return reinterpret_cast<char*>(this + 1); }
};

// A loop-wide cache of standard-size chunks, so that a busy connection reuses memory instead of going
// to the allocator for each burst. Oversized chunks (one large message) are freed, not cached.
class ChunkPool {
 public:
  // Payload bytes of a standard chunk. Writes are batched up to about two of these; loopback writes of
  // exactly 64 KiB are slow on the kernels we run on, so batches stay below that.
  static constexpr std::uint32_t kChunkCapacity = 32 * 1024 - sizeof(OutboundChunk) - 64;
  // At most 2 MiB kept for reuse: enough for a burst on a few busy connections, small enough that an
  // idle server gives the memory back.
  static constexpr std::size_t kMaxCached = 64;

  ChunkPool() = default;
  ChunkPool(const ChunkPool&) = delete;
  ChunkPool& operator=(const ChunkPool&) = delete;
  ~ChunkPool();

  OutboundChunk* acquire(std::size_t min_capacity);
  void release(OutboundChunk* chunk) noexcept;
  std::size_t cached() const noexcept { return cached_count_; }

 private:
  OutboundChunk* free_ = nullptr;
  std::size_t cached_count_ = 0;
};

class OutboundBuffer {
 public:
  explicit OutboundBuffer(ChunkPool& pool) noexcept : pool_(&pool) {}
  OutboundBuffer(const OutboundBuffer&) = delete;
  OutboundBuffer& operator=(const OutboundBuffer&) = delete;
  ~OutboundBuffer();

  // Returns room for `n` contiguous bytes at the tail; commit() says how many were written.
  char* reserve(std::size_t n) {
    if (tail_ == nullptr || tail_->capacity - tail_->end < n) add_chunk(n);
    return tail_->data() + tail_->end;
  }
  void commit(std::size_t n) noexcept {
    tail_->end += static_cast<std::uint32_t>(n);
    pending_ += n;
  }
  void append(std::string_view bytes);

  // Bytes queued and not yet confirmed as sent.
  std::size_t pending() const noexcept { return pending_; }
  bool empty() const noexcept { return pending_ == 0; }

  // Describes the first unsent bytes as buffers, at most `max_buffers` of them and about `max_bytes`
  // in all (whole chunks; the first chunk always counts). Returns the number of buffers filled.
  std::size_t gather(uv_buf_t* buffers, std::size_t max_buffers, std::size_t max_bytes,
                     std::size_t& total) const noexcept;

  // Drops the first `n` bytes, which were sent. Precondition: n <= pending().
  void consume(std::size_t n) noexcept;

  // Frees every chunk; for a connection that closes with bytes it will never send.
  void clear() noexcept;

 private:
  void add_chunk(std::size_t n);

  ChunkPool* pool_;
  OutboundChunk* head_ = nullptr;
  OutboundChunk* tail_ = nullptr;
  std::size_t pending_ = 0;
};

}  // namespace tern::server
