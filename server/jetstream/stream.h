// One stream: its configuration, its store, the subscriptions that capture its subjects, and the
// publish path: nats-server's checks in their order (stream.go processJetStreamMsg), the append, and
// the PubAck, sent once the record is in the kernel (sync interval) or on stable storage (sync always).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/jetstream/api_requests.h"
#include "server/jetstream/dedupe_window.h"
#include "server/jetstream/stream_config.h"
#include "server/routed_message.h"
#include "server/stream/store.h"

namespace tern::server {
class InternalClient;
struct Subscription;
}  // namespace tern::server

namespace tern::server::jetstream {

class JetStream;
class Consumer;

class Stream : public std::enable_shared_from_this<Stream> {
 public:
  // Precondition: `config` is valid and has its defaults filled in; `store` is open.
  Stream(JetStream& service, StreamConfig config, std::int64_t created_ns,
         std::unique_ptr<stream::StreamStore> store);
  // A stream whose store was recovered: its duplicate window is rebuilt when first needed.
  void mark_recovered() noexcept { dedupe_loaded_ = false; }
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  const std::string& name() const noexcept { return config_.name; }
  const StreamConfig& config() const noexcept { return config_; }
  std::int64_t created_ns() const noexcept { return created_ns_; }
  stream::StreamStore& store() noexcept { return *store_; }
  const stream::StreamStore& store() const noexcept { return *store_; }

  // Subscribes the stream's subjects through `client`; false (with nothing subscribed) when a subject
  // cannot be subscribed.
  bool capture(InternalClient& client);
  // Ends the subscriptions made by capture().
  void release(InternalClient& client) noexcept;
  // A configuration update that passed the update checks: new limits and subjects apply at once.
  std::string update(StreamConfig config, InternalClient& client, std::int64_t now_ns);

  // A message published to one of the stream's subjects.
  void process_publish(const RoutedMessage& msg);
  // The message a MSG.GET or DIRECT.GET asks for (by sequence, next by subject, or last by subject).
  std::optional<stream::StoredMessage> load(const MsgGetRequest& request) const;
  // $JS.API.DIRECT.GET.<stream>[.<subject>] (streams with allow_direct).
  void process_direct_get(const RoutedMessage& msg);

  // End of the loop turn: writes what was appended, then acknowledges it (sync interval) or starts the
  // sync that will (sync always). Returns true when the stream still has acknowledgements waiting.
  void flush() noexcept;
  // The interval sync: makes what was written durable, when nothing is syncing already.
  void sync() noexcept;
  // True while a sync runs on the pool or PubAcks wait for one.
  bool busy() const noexcept { return sync_in_flight_ || !awaiting_sync_.empty(); }

  // Rebuilds the duplicate window from the messages stored within it. A recovered stream does it the
  // first time a publish needs it (a Nats-Msg-Id or Nats-Expected-Last-Msg-Id), as nats-server does:
  // it reads every message of the window, which a stream that never dedupes should not pay at start.
  void rebuild_dedupe(std::int64_t now_ns);
  void ensure_dedupe_loaded();
  // Age expiry; returns the next deadline (0: none).
  std::int64_t expire(std::int64_t now_ns);

  // The purge API and rollups: removes and logs. Returns the count, or sets `error`.
  std::uint64_t purge(const stream::PurgeRequest& request, stream::StoreError& error);
  // The MSG.DELETE API: removes (and with `erase` overwrites) one message, logged.
  bool remove(std::uint64_t seq, bool erase, stream::StoreError& error);

  // ---- Consumers, by name.
  const std::map<std::string, std::shared_ptr<Consumer>>& consumers() const noexcept { return consumers_; }
  std::shared_ptr<Consumer> find_consumer(std::string_view name) const;
  void add_consumer(std::shared_ptr<Consumer> consumer);
  std::shared_ptr<Consumer> remove_consumer(std::string_view name);
  // `by` settled `seq` (acked it, or sent it with ack none): on a work-queue stream the message goes;
  // on an interest stream it goes once no other consumer needs it.
  void acknowledged(std::uint64_t seq, const Consumer& by);

 private:
  struct PendingAck {
    std::string reply;
    std::uint64_t seq;
  };
  // Answers `reply` with a PubAck error for this stream (nothing when there is no reply).
  void reply_error(std::string_view reply, const ApiError& error);
  // Appends and queues the PubAck; `msg_id` (may be empty) enters the duplicate window.
  void store_message(const RoutedMessage& msg, std::string_view msg_id, int rollup);
  void send_acks(std::vector<PendingAck>& acks, std::uint64_t up_to_seq) noexcept;
  void fail_acks(std::vector<PendingAck>& acks, const std::string& failure) noexcept;
  void start_sync() noexcept;
  // Schedules this turn's write when the store holds unwritten bytes.
  void note_written();
  void sync_done(std::uint64_t covers_seq, const std::string& failure) noexcept;
  // Messages left the store other than by an ack: every consumer takes its counts again.
  void notify_removed(bool purged = false) noexcept;
  bool any_consumer_needs(std::uint64_t seq, std::string_view subject) const;
  // The discard-new limit checks; an empty string when the message may be stored.
  std::string discard_new_refusal(std::string_view subject, std::size_t raw_size) const;

  JetStream& service_;
  StreamConfig config_;
  std::int64_t created_ns_;
  std::unique_ptr<stream::StreamStore> store_;
  std::vector<Subscription*> subscriptions_;
  std::map<std::string, std::shared_ptr<Consumer>> consumers_;
  DedupeWindow dedupe_;
  // Every PubAck is this, the sequence and `}`; built in ack_buffer_, reused.
  std::string ack_prefix_;
  std::string ack_buffer_;
  std::string last_msg_id_;
  // PubAcks for records not written yet, then (sync always) for records written but not synced.
  std::vector<PendingAck> awaiting_flush_;
  std::vector<PendingAck> awaiting_sync_;
  bool sync_in_flight_ = false;
  bool dirty_ = false;
  // False for a recovered stream until its duplicate window is rebuilt; a new stream starts empty.
  bool dedupe_loaded_ = true;
};

}  // namespace tern::server::jetstream
