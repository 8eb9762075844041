// tern::client: a C++ client for Tern and NATS servers.
//
//   auto client = tern::client::Client::connect("nats://127.0.0.1:4222");
//   if (!client) { /* client.error() says why */ }
//   auto sub = client->subscribe("greet.*", [](tern::client::Message m) { /* on the I/O thread */ });
//   client->publish("greet.joe", "hello");
//   auto reply = client->request("svc.time", "", std::chrono::seconds(1)).get();
//
// Threading. A Client owns one I/O thread running a libuv loop (or runs on the caller's loop, see
// Options::loop). Every callback (message handlers, reply handlers, connection events) runs on that
// thread, one at a time, and must not block it. Handlers are called directly, not through a queue, so
// there is no client-side pending limit and no client-side slow-consumer drop: a slow handler slows
// the reading of the socket, and the server applies its own slow-consumer limit. All other member
// functions may be called from any thread. Publishing appends to a buffer under a mutex and wakes the
// loop once per batch; the loop writes everything queued in one system call per turn.
//
// Lifetimes. No callback runs after the Client is destroyed, nor a Subscription's handler after the
// Subscription is destroyed or unsubscribed: destruction on another thread waits for a running
// callback to return. A handler may destroy its own Subscription, and any callback may call close().
// Blocking calls (flush, drain, waiting on a request's future) must not be made on the I/O thread;
// flush and drain return Errc::kWouldDeadlock there.
//
// Errors are values: std::error_code in the tern.client category (see error.h), or Expected<T>.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "client/error.h"
#include "client/headers.h"
#include "client/message.h"
#include "client/options.h"
#include "client/status.h"
#include "protocol/info.h"

namespace tern::client {

class Client;
class Subscription;

namespace detail {
class Core;
struct SubState;
// The library's own layers above the connection (client/jetstream) reach it through these two; they
// are not part of the API applications use.
std::shared_ptr<Core> core_of(const Client& client);
Subscription make_subscription(std::shared_ptr<Core> core, std::shared_ptr<SubState> state);
}  // namespace detail

using MessageHandler = std::function<void(Message)>;
// Receives the reply, or Errc::kTimeout, kNoResponders, kConnectionClosed.
using ReplyHandler = std::function<void(Expected<Message>)>;

inline constexpr std::chrono::milliseconds kDefaultFlushTimeout{10000};
inline constexpr std::chrono::milliseconds kDefaultDrainTimeout{30000};

// A subscription's handle. Move-only; unsubscribes when destroyed.
class Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&& other) noexcept = default;
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription();

  // Stops delivery now. When this returns, the handler is not running (unless this is called from
  // the handler itself) and will not run again. Idempotent.
  std::error_code unsubscribe();
  // Ends the subscription once `max_messages` messages in all have been delivered (counting those
  // delivered already), as `UNSUB <sid> <max>` does; the remaining count survives reconnects.
  std::error_code auto_unsubscribe(std::uint64_t max_messages);

  // False for a default-constructed or moved-from handle.
  bool valid() const noexcept { return state_ != nullptr; }
  const std::string& subject() const;
  const std::string& queue() const;
  std::uint64_t sid() const;

 private:
  friend class Client;
  friend Subscription detail::make_subscription(std::shared_ptr<detail::Core>,
                                                std::shared_ptr<detail::SubState>);
  Subscription(std::shared_ptr<detail::Core> core, std::shared_ptr<detail::SubState> state)
      : core_(std::move(core)), state_(std::move(state)) {}

  std::shared_ptr<detail::Core> core_;
  std::shared_ptr<detail::SubState> state_;
};

class Client {
 public:
  // Connects to the first reachable server of options.servers and returns once the handshake is
  // done (INFO, CONNECT, PING, PONG), or fails with kConnectionFailed, kAuthorizationViolation,
  // kTimeout, kInvalidUrl... With options.loop set, call it on the loop's thread: it returns at once
  // and the connection is made while the loop runs.
  static Expected<Client> connect(Options options);
  static Expected<Client> connect(std::string_view url);

  Client(Client&& other) noexcept = default;
  Client& operator=(Client&& other) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  // Closes the connection (without draining) and, with an own I/O thread, joins it.
  ~Client();

  // Publishing. Fails at once on an invalid subject, a payload over the server's max_payload, a full
  // reconnect buffer while disconnected, Options::max_pending_bytes reached while connected
  // (kOutboundFull), or a closed client; otherwise the message is queued.
  std::error_code publish(std::string_view subject, std::string_view data);
  std::error_code publish(std::string_view subject, std::string_view reply, std::string_view data);
  std::error_code publish(std::string_view subject, const Headers& headers, std::string_view data);
  std::error_code publish(std::string_view subject, std::string_view reply, const Headers& headers,
                          std::string_view data);

  Expected<Subscription> subscribe(std::string_view subject, MessageHandler handler);
  // Each message goes to one member of the queue group.
  Expected<Subscription> queue_subscribe(std::string_view subject, std::string_view queue,
                                         MessageHandler handler);

  // Request/reply over the connection's single `_INBOX.<id>.*` subscription. The future always becomes
  // ready: with the reply, or kTimeout, kNoResponders, kConnectionClosed. Do not wait on it on the I/O
  // thread.
  std::future<Expected<Message>> request(std::string_view subject, std::string_view data,
                                         std::chrono::milliseconds timeout);
  std::future<Expected<Message>> request(std::string_view subject, const Headers& headers,
                                         std::string_view data, std::chrono::milliseconds timeout);
  // The same, with the outcome passed to `handler` on the I/O thread; never blocks. An argument error
  // is passed to the handler at once, on the calling thread.
  void request(std::string_view subject, std::string_view data, std::chrono::milliseconds timeout,
               ReplyHandler handler);
  void request(std::string_view subject, const Headers& headers, std::string_view data,
               std::chrono::milliseconds timeout, ReplyHandler handler);

  // A PING/PONG round trip: when it returns without error, the server has processed everything this
  // client sent before. While disconnected it waits for the reconnection (within the timeout).
  std::error_code flush(std::chrono::milliseconds timeout = kDefaultFlushTimeout);
  // The same, without blocking: `handler` runs on the I/O thread.
  void flush(std::chrono::milliseconds timeout, std::function<void(std::error_code)> handler);
  // Unsubscribes everything, delivers the messages the server sent before it saw the UNSUBs, flushes
  // what was published, and closes. New subscriptions and requests fail with kDraining meanwhile.
  std::error_code drain(std::chrono::milliseconds timeout = kDefaultDrainTimeout);
  // Closes at once (queued publishes are still written out). Pending requests and flushes fail with
  // kConnectionClosed. Waits for the close unless called on the I/O thread or with an attached loop.
  void close();

  Status status() const;
  bool is_connected() const { return status() == Status::kConnected; }
  bool is_closed() const { return status() == Status::kClosed; }
  // Why the client closed: empty after close() or a clean drain.
  std::error_code close_reason() const;
  // The server currently connected to, without credentials; empty when none.
  std::string connected_url() const;
  // The last INFO received.
  protocol::ServerInfo server_info() const;
  Statistics statistics() const;
  // A unique subject to use as a reply subject: `_INBOX.<nuid>`.
  std::string new_inbox();

 private:
  friend std::shared_ptr<detail::Core> detail::core_of(const Client& client);
  explicit Client(std::shared_ptr<detail::Core> core) : core_(std::move(core)) {}
  detail::Core& core() const;

  std::shared_ptr<detail::Core> core_;
};

}  // namespace tern::client

// The library's namespace is tern::client; the client itself is also reachable as tern::Client.
namespace tern {
using client::Client;
}  // namespace tern
