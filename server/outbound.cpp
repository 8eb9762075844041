#include "server/outbound.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace tern::server {

ChunkPool::~ChunkPool() {
  while (free_ != nullptr) {
    OutboundChunk* next = free_->next;
    std::free(free_);
    free_ = next;
  }
}

OutboundChunk* ChunkPool::acquire(std::size_t min_capacity) {
  if (min_capacity <= kChunkCapacity && free_ != nullptr) {
    OutboundChunk* chunk = free_;
    free_ = chunk->next;
    --cached_count_;
    chunk->next = nullptr;
    chunk->start = chunk->end = 0;
    return chunk;
  }
  const std::size_t capacity = std::max<std::size_t>(min_capacity, kChunkCapacity);
  void* memory = std::malloc(sizeof(OutboundChunk) + capacity);
  if (memory == nullptr) throw std::bad_alloc();
  auto* chunk = new (memory) OutboundChunk;
  chunk->capacity = static_cast<std::uint32_t>(capacity);
  return chunk;
}

void ChunkPool::release(OutboundChunk* chunk) noexcept {
  if (chunk->capacity == kChunkCapacity && cached_count_ < kMaxCached) {
    chunk->next = free_;
    free_ = chunk;
    ++cached_count_;
    return;
  }
  std::free(chunk);
}

OutboundBuffer::~OutboundBuffer() {
  clear();
}

void OutboundBuffer::add_chunk(std::size_t n) {
  OutboundChunk* chunk = pool_->acquire(n);
  if (tail_ == nullptr) {
    head_ = tail_ = chunk;
  } else {
    tail_->next = chunk;
    tail_ = chunk;
  }
}

void OutboundBuffer::append(std::string_view bytes) {
  while (!bytes.empty()) {
    if (tail_ == nullptr || tail_->end == tail_->capacity) {
      // Large appends get one chunk of their own size rather than many standard ones.
      add_chunk(bytes.size() > ChunkPool::kChunkCapacity ? bytes.size() : 1);
    }
    const std::size_t room = tail_->capacity - tail_->end;
    const std::size_t n = std::min(room, bytes.size());
    std::memcpy(tail_->data() + tail_->end, bytes.data(), n);
    commit(n);
    bytes.remove_prefix(n);
  }
}

std::size_t OutboundBuffer::gather(uv_buf_t* buffers, std::size_t max_buffers, std::size_t max_bytes,
                                   std::size_t& total) const noexcept {
  std::size_t count = 0;
  total = 0;
  for (OutboundChunk* chunk = head_; chunk != nullptr && count < max_buffers; chunk = chunk->next) {
    const std::size_t size = chunk->end - chunk->start;
    if (size == 0) continue;
    if (count > 0 && total + size > max_bytes) break;
    buffers[count++] = uv_buf_init(chunk->data() + chunk->start, static_cast<unsigned>(size));
    total += size;
  }
  return count;
}

void OutboundBuffer::consume(std::size_t n) noexcept {
  pending_ -= n;
  while (n > 0 && head_ != nullptr) {
    const std::size_t size = head_->end - head_->start;
    if (n < size) {
      head_->start += static_cast<std::uint32_t>(n);
      return;
    }
    n -= size;
    head_->start = head_->end;
    if (head_ == tail_) {
      // An idle connection holds no chunk; the pool makes the next acquire cheap.
      pool_->release(head_);
      head_ = tail_ = nullptr;
      return;
    }
    OutboundChunk* next = head_->next;
    pool_->release(head_);
    head_ = next;
  }
}

void OutboundBuffer::clear() noexcept {
  while (head_ != nullptr) {
    OutboundChunk* next = head_->next;
    pool_->release(head_);
    head_ = next;
  }
  tail_ = nullptr;
  pending_ = 0;
}

}  // namespace tern::server
