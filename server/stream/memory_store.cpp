// The memory store: the shared index plus one heap body per message, in a deque indexed by sequence.
// flush() has nothing to write and there is nothing to sync.
#include <deque>
#include <string>

#include "server/stream/indexed_store.h"

namespace tern::server::stream {
namespace {

class MemoryStore final : public IndexedStore {
 public:
  explicit MemoryStore(const StoreLimits& limits) : IndexedStore(limits) {}

  StorageKind kind() const noexcept override { return StorageKind::kMemory; }

  std::uint64_t append(std::string_view subject, std::string_view headers, std::string_view payload,
                       std::int64_t timestamp_ns, StoreError& error) override {
    if (subject.empty() || subject.size() > 0xFFFFu ||
        record_size(subject.size(), headers.size(), payload.size()) > kMaxRecordBytes) {
      error = StoreError{StoreError::Code::kInvalid, "message too large or subject invalid"};
      return 0;
    }
    const std::uint64_t seq = last_seq() + 1;
    const std::int64_t timestamp = std::max(timestamp_ns, last_timestamp());
    if (bodies_.empty()) bodies_base_ = seq;
    while (bodies_base_ + bodies_.size() < seq)
      bodies_.emplace_back();
    Body& body = bodies_.emplace_back();
    body.timestamp_ns = timestamp;
    body.header_length = static_cast<std::uint32_t>(headers.size());
    body.bytes.reserve(headers.size() + payload.size());
    body.bytes.append(headers);
    body.bytes.append(payload);
    add_message(
        seq, subject, 0,
        static_cast<std::uint32_t>(memory_store_msg_size(subject.size(), headers.size(), payload.size())),
        timestamp);
    return seq;
  }

  StoreError flush() override { return {}; }
  std::size_t unflushed_bytes() const noexcept override { return 0; }
  std::uint64_t flushed_seq() const noexcept override { return last_seq(); }
  std::unique_ptr<SyncJob> make_sync_job(std::uint64_t& covers_seq) override {
    covers_seq = last_seq();
    return nullptr;
  }
  void sync_finished(const std::string& /*failure*/) noexcept override {}
  std::uint64_t storage_bytes() const noexcept override { return message_bytes(); }

  StoreError destroy() override {
    StoreError ignored;
    purge(PurgeRequest{}, ignored);
    bodies_.clear();
    return {};
  }

 protected:
  bool read_message(std::uint64_t seq, const IndexEntry& entry, StoredMessage& out,
                    StoreError& /*error*/) const override {
    const Body& body = bodies_[seq - bodies_base_];
    out.seq = seq;
    out.timestamp_ns = body.timestamp_ns;
    out.subject = subjects().at(entry.subject).name;
    out.headers.assign(body.bytes, 0, body.header_length);
    out.payload.assign(body.bytes, body.header_length);
    return true;
  }

  std::int64_t read_timestamp(std::uint64_t seq, const IndexEntry& /*entry*/) const override {
    return bodies_[seq - bodies_base_].timestamp_ns;
  }

  StoreError log_delete(const DeleteControl& /*control*/, bool /*erase*/,
                        const IndexEntry& /*entry*/) override {
    return {};
  }
  StoreError log_purge(const PurgeControl& /*control*/) override { return {}; }

  void on_removed(std::uint64_t seq, const IndexEntry& /*entry*/) override {
    std::string().swap(bodies_[seq - bodies_base_].bytes);
  }

  void on_first_advanced() override {
    const std::uint64_t first = first_seq();
    while (!bodies_.empty() && bodies_base_ < first) {
      bodies_.pop_front();
      ++bodies_base_;
    }
    if (bodies_.empty()) bodies_base_ = first;
  }

 private:
  struct Body {
    std::int64_t timestamp_ns = 0;
    std::uint32_t header_length = 0;
    std::string bytes;  // Headers, then payload.
  };
  std::deque<Body> bodies_;
  std::uint64_t bodies_base_ = 1;  // The sequence of bodies_.front().
};

}  // namespace

std::unique_ptr<StreamStore> make_memory_store(const StoreLimits& limits) {
  return std::make_unique<MemoryStore>(limits);
}

}  // namespace tern::server::stream
