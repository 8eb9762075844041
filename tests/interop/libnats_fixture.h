// Shared pieces of the libnats interop tests: the two servers every test runs against, a started server
// for the length of a test, a libnats connection, a collector for asynchronous subscriptions, RAII owners
// for libnats objects and small helpers for the calls every test makes.
#pragma once

#include <nats/nats.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/server_process.h"

namespace tern::interop {

// The server binaries under test. Each test case is a TEMPLATE_TEST_CASE over these two types, so ctest
// lists every case twice and a failure names the server it happened on: failing on Ternd only is a
// ternd bug, failing on both is a test bug.
struct Ternd {
  static constexpr std::string_view name = "ternd";
  static const char* executable() { return TERN_TERND_PATH; }
};
struct NatsServer {
  static constexpr std::string_view name = "nats-server";
  static const char* executable() { return TERN_NATS_SERVER_PATH; }
};

// The upper bound for any single wait in these tests. A correct server answers in milliseconds; the
// bound only turns a hang in a broken server into a failure, and is long enough that a busy machine
// (other builds, ctest -j) never reaches it.
constexpr std::int64_t kWaitMillis = 10000;

// Owners of libnats objects, each freed with its own destroy function.
struct OptionsDeleter {
  void operator()(natsOptions* options) const { natsOptions_Destroy(options); }
};
struct SubscriptionDeleter {
  void operator()(natsSubscription* subscription) const { natsSubscription_Destroy(subscription); }
};
struct MessageDeleter {
  void operator()(natsMsg* message) const { natsMsg_Destroy(message); }
};
using OptionsPtr = std::unique_ptr<natsOptions, OptionsDeleter>;
using SubscriptionPtr = std::unique_ptr<natsSubscription, SubscriptionDeleter>;
using MessagePtr = std::unique_ptr<natsMsg, MessageDeleter>;

// A server process started for one test. While it exists, a failed assertion prints the tail of the
// server's log (see the listener in libnats_fixture.cpp), which is where `-DV` protocol traces go when
// TERN_INTEROP_TRACE=1 is set in the environment.
class TestServer {
 public:
  TestServer(std::string_view name, const char* executable, std::vector<std::string> extra_args = {},
             std::string config_text = {});
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  std::string_view name() const { return name_; }
  int port() const { return process_.port(); }
  std::string url() const;
  std::string log_text() const { return process_.log_text(); }
  // Stops the process early, for tests of what a client sees when the server is gone.
  void stop() { process_.stop(); }
  // Kills the process with SIGKILL, as a crash would.
  void kill_hard() { process_.kill_hard(); }
  pid_t pid() const { return process_.pid(); }

 private:
  std::string name_;
  tern::test::ServerProcess process_;
};

template <class Server>
std::unique_ptr<TestServer> start_server(std::vector<std::string> extra_args = {},
                                         std::string config_text = {}) {
  return std::make_unique<TestServer>(Server::name, Server::executable(), std::move(extra_args),
                                      std::move(config_text));
}

// What the connection callbacks saw. It lives inside Client, which waits for the closed callback before
// freeing it, so a callback never touches freed memory.
struct ConnectionEvents {
  std::mutex mutex;
  std::condition_variable changed;
  bool closed = false;
  std::vector<natsStatus> async_errors;
};

// One libnats connection. Reconnecting is turned off so that a server that drops the connection makes
// the test fail at once instead of hiding the drop behind a reconnect.
class Client {
 public:
  // Lets a test adjust the options (credentials, no echo, ...) before connecting.
  using Customise = std::function<void(natsOptions*)>;

  // Connects; `status()` tells whether it worked. `connection()` is nullptr when it did not.
  Client(const TestServer& server, const Customise& customise = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  natsStatus status() const { return status_; }
  natsConnection* connection() const { return connection_; }
  // libnats's text for the connection's last error, or its global last error when there is no
  // connection; for failure messages.
  std::string last_error() const;
  // Waits up to `timeout` for the closed callback.
  bool wait_closed(std::chrono::milliseconds timeout);
  std::vector<natsStatus> async_errors();

 private:
  std::unique_ptr<ConnectionEvents> events_;
  natsConnection* connection_ = nullptr;
  natsStatus status_ = NATS_ERR;
};

// Collects the messages an asynchronous subscription delivers. The subscription is closed and its last
// callback has returned before this object is freed (see the on-complete callback), so the handler
// never runs on a freed collector.
class AsyncCollector {
 public:
  struct Received {
    std::string subject;
    std::string reply;
    std::string data;
  };

  AsyncCollector() = default;
  ~AsyncCollector();
  AsyncCollector(const AsyncCollector&) = delete;
  AsyncCollector& operator=(const AsyncCollector&) = delete;

  // Subscribes (with a queue group when `queue` is not empty). A second call is not supported.
  natsStatus subscribe(natsConnection* connection, const char* subject, const char* queue = nullptr);
  natsSubscription* subscription() const { return subscription_; }

  // Waits until at least `count` messages have arrived or the timeout ends; returns the count reached.
  std::size_t wait_for(std::size_t count, std::chrono::milliseconds timeout);
  std::size_t count();
  std::vector<Received> received();
  // Just the payloads, in the order they arrived.
  std::vector<std::string> payloads();
  // Waits for the on-complete callback, which libnats calls after the subscription closed (unsubscribe,
  // auto-unsubscribe, drain) and the handler has returned for the last time.
  bool wait_complete(std::chrono::milliseconds timeout);

 private:
  static void on_message(natsConnection* connection, natsSubscription* subscription, natsMsg* message,
                         void* closure);
  static void on_complete(void* closure);

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Received> received_;
  bool complete_ = false;
  natsSubscription* subscription_ = nullptr;
};

// The cast of most delivery tests: a subscriber and a publisher on the same server. The constructor fails
// the test unless both connected.
struct SubscriberAndPublisher {
  explicit SubscriberAndPublisher(const TestServer& server);
  Client subscriber;
  Client publisher;
};

// Helpers that wrap common calls and turn libnats's out-parameters into return values. The ones named
// require_* fail the test (Catch2 REQUIRE) when libnats reports an error.
SubscriptionPtr subscribe_sync(natsConnection* connection, const char* subject, const char* queue = nullptr);
// Flushes within kWaitMillis: the server has processed everything sent before it.
void require_flush(natsConnection* connection);
// The next message of a synchronous subscription, which must arrive within kWaitMillis.
MessagePtr require_next_message(natsSubscription* subscription);
// A new message to publish with natsConnection_PublishMsg (headers can be set on it first).
MessagePtr make_message(const char* subject, std::string_view data);
// The first value of a header, or "<missing>".
std::string header_value(natsMsg* message, const char* key);
// Publishes "0", "1", ... up to count - 1, so the receiver can check completeness and order.
void publish_numbered(natsConnection* connection, const char* subject, std::size_t count);
// Checks that `data` is "0", "1", ... up to count - 1, and says which entry first differs.
void check_numbered(const std::vector<std::string>& data, std::size_t count);
std::string message_data(const natsMsg* message);
// Waits for the next message of a synchronous subscription; the status tells why there is none.
MessagePtr next_message(natsSubscription* subscription, natsStatus& status,
                        std::int64_t timeout_millis = kWaitMillis);
// How many messages wait in a subscription's queue (delivered by the server, not yet taken).
std::uint64_t queued_messages(natsSubscription* subscription);
// Publishes bytes; the status of natsConnection_Publish.
natsStatus publish(natsConnection* connection, const char* subject, std::string_view data);
// How many messages the connection has received from the server so far, counted by libnats as they
// come off the socket (including ones it then drops, e.g. past an auto-unsubscribe maximum): this is what
// shows whether the server itself stopped delivering.
std::uint64_t messages_received_by(natsConnection* connection);
// Polls `condition` until it holds or the timeout ends; returns its last value. For conditions that
// libnats offers no blocking wait for.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(kWaitMillis));
// A readable name for a status, for failure messages.
std::string status_name(natsStatus status);

}  // namespace tern::interop

// Lets Catch2 print a status as its number and libnats's text, e.g. "27 (No Responders Available for
// Request)", instead of a bare number.
namespace Catch {
template <>
struct StringMaker<natsStatus> {
  static std::string convert(natsStatus status) { return tern::interop::status_name(status); }
};
}  // namespace Catch
