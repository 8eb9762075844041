// One consumer of a stream: push (to a deliver subject, optionally a queue group) or pull (answering
// `$JS.API.CONSUMER.MSG.NEXT` requests from a bounded waiting queue), with nats-server 2.9.10's ack
// protocol, redelivery, flow control, heartbeats and status messages (consumer.go).
//
// A consumer is a peer inside the server: it receives acks, pull requests and flow-control replies
// through subscriptions of the JetStream internal client, and delivers through the same routing as a
// client's PUB, so that slow-consumer rules, queue groups and interest apply to its messages as to any.
// It never delivers from inside a route: the stream marks it ready, and the service runs deliver() at
// the end of the loop turn, a bounded batch at a time. Every deadline it has (ack waits, pull expiries,
// heartbeats, replay pacing, inactivity) is folded into one: next_deadline(), which the service keeps
// in its one timer structure.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/jetstream/ack_tracker.h"
#include "server/jetstream/consumer_config.h"
#include "server/jetstream/consumer_json.h"
#include "server/jetstream/consumer_state.h"
#include "server/routed_message.h"

namespace tern::server {
struct Subscription;
}  // namespace tern::server

namespace tern::server::jetstream {

class JetStream;
class Stream;

class Consumer : public std::enable_shared_from_this<Consumer> {
 public:
  // Precondition: `config` passed the create checks and has its defaults filled in; `stream` owns the
  // consumer and outlives it.
  Consumer(JetStream& service, Stream& stream, std::string name, ConsumerConfig config,
           std::int64_t created_ns, std::uint64_t id);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Chooses the starting sequence (a new consumer) or takes a recovered state, and subscribes the ack
  // and flow-control subjects. False when a subscription could not be made.
  bool start(const ConsumerStateRecord* recovered, std::int64_t now_ns);
  // Ends the subscriptions; with `deleted`, waiting pull requests get 409 Consumer Deleted.
  void stop(bool deleted) noexcept;

  std::uint64_t id() const noexcept { return id_; }
  const std::string& name() const noexcept { return name_; }
  const ConsumerConfig& config() const noexcept { return config_; }
  std::int64_t created_ns() const noexcept { return created_ns_; }
  bool is_pull() const noexcept { return config_.deliver_subject.empty(); }
  bool is_durable() const noexcept { return !config_.durable_name.empty(); }
  // Whether its state is kept on disk: a durable of a file stream without mem_storage.
  bool is_persisted() const noexcept;
  ConsumerInfoView info(std::int64_t now_ns);
  // A push consumer whose deliver subject has interest now.
  bool push_bound() const noexcept { return !is_pull() && active_; }

  // A configuration update that passed check_consumer_update.
  void update(ConsumerConfig config, std::int64_t now_ns);

  // ---- Events from the stream.
  // A message was stored at `seq` on `subject`.
  void on_stored(std::uint64_t seq, std::string_view subject) noexcept;
  // Messages were removed in ways other than this consumer's acks (purge, limits, delete, expiry).
  void on_removed(bool purged = false) noexcept;
  // Whether this consumer still needs `seq` (interest retention): it matches the filter and is not
  // acknowledged by this consumer yet.
  bool needs(std::uint64_t seq, std::string_view subject) const;

  // ---- Events from the wire.
  // A message on `$JS.ACK.<stream>.<consumer>.>`.
  void process_ack(const RoutedMessage& msg);
  // A pull request: `$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>` with `reply`.
  void process_next_request(std::string_view reply, std::string_view body, std::int64_t now_ns);
  // A reply on `$JS.FC.<stream>.<consumer>.>`.
  void process_flow_control(std::string_view subject);
  // The receiver this consumer waited for drained or went away.
  void receiver_drained() noexcept;
  std::uint64_t stalled_on() const noexcept { return stalled_on_; }
  // A subscription on `subject` was added somewhere: an inactive push consumer checks its interest.
  void interest_added(std::string_view subject) noexcept;

  // ---- Driven by the service.
  // Delivers up to `budget` messages. Returns true when it stopped with work left (the budget ran out).
  bool deliver(std::size_t budget) noexcept;
  // The deadline has come: ack waits, pull expiries and heartbeats, push heartbeats, replay pacing.
  // Returns true when the consumer should be deleted now (an ephemeral past its inactive threshold).
  bool on_deadline(std::int64_t now_ns) noexcept;
  // The earliest time on_deadline should run (0: none).
  std::int64_t next_deadline() const noexcept;
  // What the service's deadline queue holds for this consumer (to skip stale entries).
  std::int64_t armed_deadline = 0;
  // On the service's ready list.
  bool ready = false;

  // ---- Persistence.
  bool state_dirty() const noexcept { return state_dirty_; }
  // The state to write; clears the dirty mark.
  ConsumerStateRecord take_state();
  // The directory of a persisted consumer: <stream dir>/obs/<name>.
  std::string directory() const;

 private:
  struct WaitingRequest {
    std::string reply;
    std::int64_t batch = 0;      // Messages still to send.
    std::int64_t max_bytes = 0;  // Bytes still allowed (0: no limit).
    std::int64_t expires_ns = 0;
    std::int64_t heartbeat_ns = 0;
    std::int64_t next_heartbeat_ns = 0;
    std::int64_t delivered = 0;
    bool no_wait = false;
  };
  struct Candidate;

  void signal() noexcept;
  void send_status(std::string_view subject, std::string_view header_block, std::string_view reply = {});
  std::uint64_t num_pending();
  void recompute_num_pending();
  void select_start(std::int64_t now_ns);
  bool next_candidate(Candidate& out);
  void put_back(const Candidate& candidate);
  // The pull request the next message of `size` bytes goes to (nextWaiting), or null.
  WaitingRequest* next_waiting(std::size_t size);
  void finish_waiting_front(WaitingRequest* used);
  // Ends expired pull requests (and, with `end_of_stream`, no_wait requests that got something),
  // sends pull heartbeats; returns the count of messages the waiting requests still want.
  std::int64_t process_waiting(bool end_of_stream, std::int64_t now_ns);
  void settle(const std::vector<std::uint64_t>& settled);
  bool filter_matches(std::string_view subject) const;
  void mark_state_dirty() noexcept;
  void check_interest() noexcept;
  void send_heartbeat(std::string_view subject);

  JetStream& service_;
  Stream& stream_;
  const std::uint64_t id_;
  std::string name_;
  ConsumerConfig config_;
  std::int64_t created_ns_;
  AckTracker tracker_;
  std::vector<Subscription*> subscriptions_;
  std::string ack_prefix_;  // "$JS.ACK.<stream>.<consumer>."
  std::string ack_reply_;   // Reused per delivery.
  std::string headers_;     // Reused for headers_only deliveries.
  bool filter_wildcard_ = false;

  // Messages matching the filter at or after the cursor, and whether that count must be taken again
  // from the store.
  std::uint64_t num_pending_ = 0;
  bool num_pending_stale_ = true;
  // Deliver last per subject: the last sequences still to send, in order, then where to go on.
  std::deque<std::uint64_t> last_per_subject_;
  std::uint64_t resume_after_last_per_subject_ = 0;

  // Push.
  bool active_ = false;
  std::int64_t last_delivery_ns_ = 0;
  std::int64_t next_heartbeat_ns_ = 0;
  std::int64_t inactive_since_ns_ = 0;
  std::int64_t next_interest_check_ns_ = 0;
  // Flow control (push with flow_control): bytes sent since the last answered request, the window,
  // the outstanding request's reply subject and the bytes it covers.
  std::int64_t pending_bytes_ = 0;
  std::int64_t max_pending_bytes_ = 0;
  std::int64_t pending_bytes_limit_ = 0;
  std::string flow_control_id_;
  std::int64_t flow_control_bytes_ = 0;
  // A receiver above its high-water mark that this consumer waits for (0: none), and until when.
  std::uint64_t stalled_on_ = 0;
  std::int64_t stalled_until_ns_ = 0;
  // Replay original: the stored time of the last message sent, and when the next may go.
  std::int64_t replay_last_ts_ns_ = 0;
  std::int64_t replay_next_ns_ = 0;
  std::uint64_t replay_until_seq_ = 0;
  // rate_limit_bps: a token bucket of bytes (nats-server's rate.Limiter with the stream's largest
  // message as the burst), and when the next message may go once it ran dry.
  double rate_tokens_ = 0;
  std::int64_t rate_refilled_ns_ = 0;
  std::int64_t rate_next_ns_ = 0;
  // Whether the bucket allows `size` bytes now; if not, rate_next_ns_ says when.
  bool rate_allows(std::size_t size, std::int64_t now_ns);

  // Pull.
  std::deque<WaitingRequest> waiting_;
  std::int64_t last_request_ns_ = 0;

  std::int64_t last_active_ns_ = 0;
  bool state_dirty_ = false;
  bool stopped_ = false;
};

}  // namespace tern::server::jetstream
