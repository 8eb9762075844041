// Event sourcing on JetStream: an account service appends events (AccountOpened, Deposited, Withdrawn)
// to the stream ACCOUNTS, one subject per account and event type (accounts.alice.Deposited). The stream
// is the only record; a projector rebuilds the balances by replaying it with an ordered consumer, and
// can rebuild them as they were at any earlier point: up to a stream sequence, or up to a time.
//
// Usage: event_sourcing [URL]   (URL defaults to $NATS_URL, then nats://127.0.0.1:4222)
// The server needs JetStream: `scripts/run` or `nats-server -js`.
#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <future>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/client.h"
#include "client/jetstream/jetstream.h"

namespace js = tern::client::jetstream;
using namespace std::chrono_literals;

namespace {

using Balances = std::map<std::string, std::int64_t>;

struct Event {
  std::string type;  // AccountOpened, Deposited or Withdrawn.
  std::string account;
  std::int64_t amount = 0;
};

// Prints why the example stops; returns its exit status.
int fail(const std::string& what) {
  std::cerr << "event_sourcing: " << what << "\n";
  return 1;
}

// Appends an event as accounts.<account>.<type> with the JSON payload {"account":...,"amount":...}.
tern::client::Expected<js::PubAck> append(js::JetStream& jetstream, const Event& event) {
  const std::string payload =
      R"({"account":")" + event.account + R"(","amount":)" + std::to_string(event.amount) + "}";
  return jetstream.publish("accounts." + event.account + "." + event.type, payload);
}

// Applies one stored event to the balances: the type is the subject's last token, the rest is in the
// payload. Returns false for an event it cannot read.
bool apply_event(const js::Message& message, Balances& balances) {
  const std::string type = message.subject().substr(message.subject().rfind('.') + 1);
  simdjson::dom::parser parser;
  simdjson::dom::element payload;
  std::string_view account;
  std::int64_t amount = 0;
  if (parser.parse(message.data()).get(payload) || payload["account"].get(account) ||
      payload["amount"].get(amount)) {
    return false;
  }
  std::int64_t& balance = balances[std::string(account)];
  if (type == "Deposited") balance += amount;
  if (type == "Withdrawn") balance -= amount;
  return type == "AccountOpened" || type == "Deposited" || type == "Withdrawn";
}

// Prints why a replay failed, for `return replay_failed(...)` where a Balances is expected.
std::nullopt_t replay_failed(const std::string& what) {
  fail(what);
  return std::nullopt;
}

// Replays the stream from its start with an ordered consumer, applying every event for which `include`
// holds; the replay ends at the first event for which it does not (events come in order, so every later
// one is excluded too) or at the stream's last sequence. nullopt when the replay fails.
std::optional<Balances> rebuild(js::JetStream& jetstream,
                                const std::function<bool(const js::Metadata&)>& include) {
  auto info = jetstream.stream_info("ACCOUNTS");
  if (!info) return replay_failed("stream info: " + info.error().message());
  const std::uint64_t last_sequence = info->state.last_seq;
  Balances balances;
  if (last_sequence == 0) return balances;

  // The handler runs on the client's I/O thread, one message at a time; `finished` is touched only
  // there, and this thread reads `balances` only once the promise is set.
  bool finished = false;
  bool readable = true;
  std::promise<void> replayed;
  auto replay = jetstream.ordered_consumer("ACCOUNTS", {}, [&](js::Message message) {
    if (finished) return;
    const js::Metadata& metadata = *message.metadata();  // An ordered consumer's messages always have it.
    const bool included = include(metadata);
    if (included) readable = apply_event(message, balances) && readable;
    if (!included || metadata.stream_sequence >= last_sequence) {
      finished = true;
      replayed.set_value();
    }
  });
  if (!replay) return replay_failed("ordered consumer: " + replay.error().message());
  if (replayed.get_future().wait_for(10s) != std::future_status::ready) {
    return replay_failed("the replay did not reach sequence " + std::to_string(last_sequence) + " in time");
  }
  if (!readable) return replay_failed("the stream holds an event that is not an account event");
  return balances;
}

void print(const std::string& label, const Balances& balances) {
  std::cout << label << ":";
  const char* separator = " ";
  for (const auto& [account, balance] : balances) {
    std::cout << separator << account << " " << balance;
    separator = ", ";
  }
  std::cout << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  const char* env_url = std::getenv("NATS_URL");
  const std::string url = argc > 1 ? argv[1] : env_url ? env_url : "nats://127.0.0.1:4222";
  auto client = tern::Client::connect(url);
  if (!client) return fail("connect to " + url + ": " + client.error().message());
  js::JetStream jetstream(*client);

  // A fresh stream each run, so that the balances below are the same every time.
  if (auto error = jetstream.delete_stream("ACCOUNTS"); error && error != js::ApiErrc::kStreamNotFound) {
    return fail("delete stream ACCOUNTS: " + error.message());
  }
  js::StreamConfig stream;
  stream.name = "ACCOUNTS";
  stream.subjects = {"accounts.>"};
  if (auto created = jetstream.add_stream(stream); !created) {
    return fail("create stream ACCOUNTS: " + created.error().message());
  }

  // Two days of business. The first day's close is the time the server stamped on its last event.
  const std::vector<Event> day_one = {{"AccountOpened", "alice", 0},
                                      {"Deposited", "alice", 100},
                                      {"AccountOpened", "bob", 0},
                                      {"Deposited", "bob", 50},
                                      {"Withdrawn", "alice", 30}};
  const std::vector<Event> day_two = {
      {"Deposited", "bob", 25}, {"Deposited", "alice", 10}, {"Withdrawn", "bob", 60}};
  std::uint64_t last_of_day_one = 0;
  for (const Event& event : day_one) {
    auto ack = append(jetstream, event);
    if (!ack) return fail("append " + event.type + ": " + ack.error().message());
    last_of_day_one = ack->sequence;
  }
  for (const Event& event : day_two) {
    if (auto ack = append(jetstream, event); !ack)
      return fail("append " + event.type + ": " + ack.error().message());
  }
  auto close_of_day_one = jetstream.get_message("ACCOUNTS", last_of_day_one);
  if (!close_of_day_one)
    return fail("read event " + std::to_string(last_of_day_one) + ": " + close_of_day_one.error().message());
  const js::SystemTime day_one_closed = close_of_day_one->time;
  std::cout << "appended " << day_one.size() + day_two.size() << " events to ACCOUNTS\n";

  // The same replay, three ways: everything, up to a sequence, and up to the close of day one.
  constexpr std::uint64_t kAsOfSequence = 3;
  const std::vector<std::pair<std::string, std::function<bool(const js::Metadata&)>>> views = {
      {"balances now", [](const js::Metadata&) { return true; }},
      {"balances as of sequence " + std::to_string(kAsOfSequence),
       [](const js::Metadata& event) { return event.stream_sequence <= kAsOfSequence; }},
      {"balances at the close of day one",
       [&](const js::Metadata& event) { return event.timestamp <= day_one_closed; }},
  };
  for (const auto& [label, include] : views) {
    auto balances = rebuild(jetstream, include);
    if (!balances) return 1;
    print(label, *balances);
  }
  return 0;
}
