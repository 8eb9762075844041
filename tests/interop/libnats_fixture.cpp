// Catch2 v2 declares its listener base classes only for translation units that ask for them, and the
// request must come before the first include of catch.hpp (the fixture header includes it).
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include "tests/interop/libnats_fixture.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <thread>

namespace tern::interop {
namespace {

// The server of the running test. Catch2 runs tests one at a time on the main thread, and only that
// thread touches this pointer, so a plain pointer is enough.
const TestServer* current_server = nullptr;

// How much of the server log to print after a failed assertion: enough for the protocol lines of the
// last exchange, short enough to keep the report readable.
constexpr std::size_t kLogTailBytes = 6000;

bool protocol_trace_requested() {
  const char* value = std::getenv("TERN_INTEROP_TRACE");
  return value != nullptr && *value != '\0' && std::string_view(value) != "0";
}

std::vector<std::string> with_trace_flag(std::vector<std::string> extra_args) {
  if (protocol_trace_requested()) extra_args.emplace_back("-DV");
  return extra_args;
}

// Prints the tail of the server's log after a test case that failed, so that a failure against ternd
// shows what the server saw without rerunning anything. The log is read at the failed assertion, while
// the server still exists, and printed when its section ends, after Catch2's own report of the failure.
class ServerLogOnFailure : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;

  bool assertionEnded(const Catch::AssertionStats& stats) override {
    if (stats.assertionResult.isOk() || current_server == nullptr) return true;
    std::string log = current_server->log_text();
    if (log.size() > kLogTailBytes) log = "..." + log.substr(log.size() - kLogTailBytes);
    failure_log_ =
        "--- " + std::string(current_server->name()) + " log (tail) ---\n" + log + "--- end of log ---\n";
    return true;
  }

  void sectionEnded(const Catch::SectionStats& stats) override {
    // Sections (and GENERATE) rerun the case with a new server, so each run prints its own log.
    if (!failure_log_.empty()) {
      Catch::cout() << failure_log_ << std::flush;
      failure_log_.clear();
    }
    TestEventListenerBase::sectionEnded(stats);
  }

  // libnats keeps a few library threads alive until told to stop; closing it after the last test lets
  // leak checkers and the process exit see a clean state. Nothing runs libnats after this point.
  void testRunEnded(const Catch::TestRunStats& stats) override {
    nats_CloseAndWait(kWaitMillis);
    TestEventListenerBase::testRunEnded(stats);
  }

 private:
  std::string failure_log_;
};

}  // namespace

CATCH_REGISTER_LISTENER(ServerLogOnFailure)

TestServer::TestServer(std::string_view name, const char* executable, std::vector<std::string> extra_args,
                       std::string config_text)
    : name_(name),
      process_(tern::test::ServerLaunch{executable,
                                        with_trace_flag(std::move(extra_args)),
                                        std::move(config_text),
                                        std::chrono::milliseconds(10000),
                                        std::chrono::milliseconds(5000),
                                        {}}) {
  current_server = this;
}

TestServer::~TestServer() {
  if (current_server == this) current_server = nullptr;
}

std::string TestServer::url() const {
  return "nats://127.0.0.1:" + std::to_string(port());
}

namespace {

void on_connection_closed(natsConnection* /*connection*/, void* closure) {
  auto* events = static_cast<ConnectionEvents*>(closure);
  const std::lock_guard lock(events->mutex);
  events->closed = true;
  events->changed.notify_all();
}

void on_async_error(natsConnection* /*connection*/, natsSubscription* /*subscription*/, natsStatus error,
                    void* closure) {
  auto* events = static_cast<ConnectionEvents*>(closure);
  const std::lock_guard lock(events->mutex);
  events->async_errors.push_back(error);
}

}  // namespace

Client::Client(const TestServer& server, const Customise& customise)
    : events_(std::make_unique<ConnectionEvents>()) {
  natsOptions* raw_options = nullptr;
  status_ = natsOptions_Create(&raw_options);
  if (status_ != NATS_OK) return;
  const OptionsPtr options(raw_options);
  const std::string url = server.url();
  natsOptions_SetURL(raw_options, url.c_str());
  natsOptions_SetName(raw_options, "tern-interop");
  natsOptions_SetTimeout(raw_options, kWaitMillis);
  natsOptions_SetAllowReconnect(raw_options, false);
  natsOptions_SetClosedCB(raw_options, on_connection_closed, events_.get());
  natsOptions_SetErrorHandler(raw_options, on_async_error, events_.get());
  if (customise) customise(raw_options);
  status_ = natsConnection_Connect(&connection_, raw_options);
  if (status_ != NATS_OK) {
    // libnats may hand back a connection object even on failure; it is not usable.
    if (connection_ != nullptr) natsConnection_Destroy(connection_);
    connection_ = nullptr;
  }
}

Client::~Client() {
  if (connection_ == nullptr) return;
  natsConnection_Close(connection_);
  // The closed callback runs on a libnats thread and uses events_; wait for it so that freeing events_
  // afterwards is safe. The bound only matters if libnats never calls it, which would be a libnats bug.
  wait_closed(std::chrono::milliseconds(kWaitMillis));
  natsConnection_Destroy(connection_);
}

std::string Client::last_error() const {
  const char* text = nullptr;
  natsStatus status = NATS_OK;
  if (connection_ != nullptr) {
    status = natsConnection_GetLastError(connection_, &text);
  } else {
    text = nats_GetLastError(&status);
  }
  return status_name(status) + (text != nullptr ? std::string(": ") + text : std::string());
}

bool Client::wait_closed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(events_->mutex);
  return events_->changed.wait_for(lock, timeout, [this] { return events_->closed; });
}

std::vector<natsStatus> Client::async_errors() {
  const std::lock_guard lock(events_->mutex);
  return events_->async_errors;
}

AsyncCollector::~AsyncCollector() {
  if (subscription_ == nullptr) return;
  // Unsubscribing an already closed subscription fails harmlessly; either way the on-complete callback
  // has run or will run once, and we wait for it before the collector goes away.
  natsSubscription_Unsubscribe(subscription_);
  wait_complete(std::chrono::milliseconds(kWaitMillis));
  natsSubscription_Destroy(subscription_);
}

natsStatus AsyncCollector::subscribe(natsConnection* connection, const char* subject, const char* queue) {
  natsStatus status =
      queue != nullptr
          ? natsConnection_QueueSubscribe(&subscription_, connection, subject, queue, on_message, this)
          : natsConnection_Subscribe(&subscription_, connection, subject, on_message, this);
  if (status != NATS_OK) {
    subscription_ = nullptr;
    return status;
  }
  status = natsSubscription_SetOnCompleteCB(subscription_, on_complete, this);
  if (status != NATS_OK) {
    // Without the callback the destructor could not wait for the handler's last call, so give the
    // subscription up now, before the test has published anything that could be in flight.
    natsSubscription_Unsubscribe(subscription_);
    natsSubscription_Destroy(subscription_);
    subscription_ = nullptr;
  }
  return status;
}

void AsyncCollector::on_message(natsConnection* /*connection*/, natsSubscription* /*subscription*/,
                                natsMsg* message, void* closure) {
  auto* collector = static_cast<AsyncCollector*>(closure);
  Received received;
  received.subject = natsMsg_GetSubject(message);
  const char* reply = natsMsg_GetReply(message);
  if (reply != nullptr) received.reply = reply;
  received.data = message_data(message);
  natsMsg_Destroy(message);
  const std::lock_guard lock(collector->mutex_);
  collector->received_.push_back(std::move(received));
  collector->changed_.notify_all();
}

void AsyncCollector::on_complete(void* closure) {
  auto* collector = static_cast<AsyncCollector*>(closure);
  const std::lock_guard lock(collector->mutex_);
  collector->complete_ = true;
  collector->changed_.notify_all();
}

std::size_t AsyncCollector::wait_for(std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return received_.size() >= count; });
  return received_.size();
}

std::size_t AsyncCollector::count() {
  const std::lock_guard lock(mutex_);
  return received_.size();
}

std::vector<AsyncCollector::Received> AsyncCollector::received() {
  const std::lock_guard lock(mutex_);
  return received_;
}

std::vector<std::string> AsyncCollector::payloads() {
  const std::lock_guard lock(mutex_);
  std::vector<std::string> payloads;
  for (const auto& received : received_)
    payloads.push_back(received.data);
  return payloads;
}

bool AsyncCollector::wait_complete(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return complete_; });
}

SubscriberAndPublisher::SubscriberAndPublisher(const TestServer& server)
    : subscriber(server), publisher(server) {
  INFO(subscriber.last_error() << " / " << publisher.last_error());
  REQUIRE(subscriber.status() == NATS_OK);
  REQUIRE(publisher.status() == NATS_OK);
}

SubscriptionPtr subscribe_sync(natsConnection* connection, const char* subject, const char* queue) {
  natsSubscription* subscription = nullptr;
  const natsStatus status = queue != nullptr
                                ? natsConnection_QueueSubscribeSync(&subscription, connection, subject, queue)
                                : natsConnection_SubscribeSync(&subscription, connection, subject);
  REQUIRE(status == NATS_OK);
  return SubscriptionPtr(subscription);
}

void require_flush(natsConnection* connection) {
  REQUIRE(natsConnection_FlushTimeout(connection, kWaitMillis) == NATS_OK);
}

MessagePtr require_next_message(natsSubscription* subscription) {
  natsStatus status = NATS_OK;
  MessagePtr message = next_message(subscription, status);
  REQUIRE(status == NATS_OK);
  return message;
}

MessagePtr make_message(const char* subject, std::string_view data) {
  natsMsg* message = nullptr;
  REQUIRE(natsMsg_Create(&message, subject, nullptr, data.data(), static_cast<int>(data.size())) == NATS_OK);
  return MessagePtr(message);
}

std::string header_value(natsMsg* message, const char* key) {
  const char* value = nullptr;
  if (natsMsgHeader_Get(message, key, &value) != NATS_OK || value == nullptr) return "<missing>";
  return value;
}

void publish_numbered(natsConnection* connection, const char* subject, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    REQUIRE(publish(connection, subject, std::to_string(i)) == NATS_OK);
  }
}

void check_numbered(const std::vector<std::string>& data, std::size_t count) {
  CHECK(data.size() == count);
  for (std::size_t i = 0; i < data.size() && i < count; ++i) {
    if (data[i] != std::to_string(i)) {
      FAIL_CHECK("entry " << i << " is \"" << data[i] << "\", expected \"" << i << "\"");
      return;
    }
  }
}

std::string message_data(const natsMsg* message) {
  const char* data = natsMsg_GetData(message);
  const int length = natsMsg_GetDataLength(message);
  if (data == nullptr || length <= 0) return {};
  return std::string(data, static_cast<std::size_t>(length));
}

MessagePtr next_message(natsSubscription* subscription, natsStatus& status, std::int64_t timeout_millis) {
  natsMsg* message = nullptr;
  status = natsSubscription_NextMsg(&message, subscription, timeout_millis);
  return MessagePtr(status == NATS_OK ? message : nullptr);
}

std::uint64_t queued_messages(natsSubscription* subscription) {
  std::uint64_t queued = 0;
  if (natsSubscription_QueuedMsgs(subscription, &queued) != NATS_OK) return 0;
  return queued;
}

natsStatus publish(natsConnection* connection, const char* subject, std::string_view data) {
  return natsConnection_Publish(connection, subject, data.data(), static_cast<int>(data.size()));
}

std::uint64_t messages_received_by(natsConnection* connection) {
  natsStatistics* statistics = nullptr;
  if (natsStatistics_Create(&statistics) != NATS_OK) return 0;
  std::uint64_t in_messages = 0;
  std::uint64_t in_bytes = 0;
  std::uint64_t out_messages = 0;
  std::uint64_t out_bytes = 0;
  std::uint64_t reconnects = 0;
  if (natsConnection_GetStats(connection, statistics) == NATS_OK) {
    natsStatistics_GetCounts(statistics, &in_messages, &in_bytes, &out_messages, &out_bytes, &reconnects);
  }
  natsStatistics_Destroy(statistics);
  return in_messages;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    // A short pause between checks keeps the poll from starving the libnats threads on a 2-core machine.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

std::string status_name(natsStatus status) {
  return std::to_string(static_cast<int>(status)) + " (" + natsStatus_GetText(status) + ")";
}

}  // namespace tern::interop
