// What a file stream keeps across a server restart and across a crash.
//   Restart: SIGTERM, start again on the same store directory: stream info and every message (subject,
//   headers, payload bytes) are the same, deletes and purges stay, and publishing continues the sequence.
//   Run against both servers, so nats-server 2.9.10 shows the expected figures are right.
//   Crash (ternd only): kill -9 in the middle of a flood of async publishes, restart on the same
//   directory, and every acknowledged sequence is there with its exact bytes, and whatever was stored
//   after the last acknowledgement is whole, not corrupt. Several rounds on one directory.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/interop/jetstream_fixture.h"

using namespace tern::interop;

namespace {

// A payload that exercises every byte value (CR, LF, NUL included) and varied lengths, and says which
// publish it came from, so a stored message can be checked without knowing its sequence in advance.
std::string crash_payload(int round, int index) {
  std::string payload = "r" + std::to_string(round) + "-i" + std::to_string(index) + "-";
  const int filler = (index * 37) % 300;
  for (int k = 0; k < filler; ++k)
    payload.push_back(static_cast<char>((index * 31 + k) % 256));
  return payload;
}

std::string crash_subject(int index) {
  return "crash." + std::to_string(index % 4);
}

// The round and index a payload names, or {-1, -1} when it does not start like one of ours.
std::pair<int, int> parse_payload(const std::string& data) {
  int round = -1;
  int index = -1;
  if (std::sscanf(data.c_str(), "r%d-i%d-", &round, &index) != 2) return {-1, -1};
  return {round, index};
}

// Every header of a stored message as "key: value" lines, sorted, for comparison.
std::string headers_text(natsMsg* message) {
  const char** keys = nullptr;
  int count = 0;
  if (natsMsgHeader_Keys(message, &keys, &count) != NATS_OK) return {};
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) {
    const char** values = nullptr;
    int value_count = 0;
    if (natsMsgHeader_Values(message, keys[i], &values, &value_count) == NATS_OK) {
      for (int j = 0; j < value_count; ++j)
        lines.push_back(std::string(keys[i]) + ": " + values[j]);
      std::free(static_cast<void*>(values));
    }
  }
  std::free(static_cast<void*>(keys));
  std::sort(lines.begin(), lines.end());
  std::string text;
  for (const auto& line : lines)
    text += line + "\n";
  return text;
}

// Each sequence from 1 to `last` as one comparable line: what GetMsg answers for it.
std::vector<std::string> every_message(jsCtx* js, const char* stream, std::uint64_t last) {
  std::vector<std::string> lines;
  for (std::uint64_t seq = 1; seq <= last; ++seq) {
    const StoredMessage stored = get_msg(js, stream, seq);
    if (stored.result != kJsOk) {
      lines.push_back(std::to_string(seq) + " error " + std::to_string(stored.result.err_code));
      continue;
    }
    lines.push_back(std::to_string(seq) + " " + stored.subject + " [" + headers_text(stored.message.get()) +
                    "] " + std::to_string(natsMsg_GetTime(stored.message.get())) + " " + stored.data);
  }
  return lines;
}

}  // namespace

namespace {

// Publishes 300 messages to a file stream with a per-subject limit, optionally deletes, erases and
// purges some, restarts the server (SIGTERM) on the same store directory and compares everything.
template <class Server>
void check_restart(bool with_removals) {
  StoreDir store;
  auto server = start_jetstream_server<Server>(store);
  auto client = std::make_unique<Client>(*server);
  REQUIRE(client->status() == NATS_OK);
  auto js = require_jetstream(client->connection());

  std::vector<const char*> subjects{"dur.>"};
  auto config = stream_config("DURABLE", subjects, js_FileStorage);
  config.MaxMsgsPerSubject = 50;
  config.Description = "kept across restarts";
  require_add_stream(js.get(), config);
  constexpr std::uint64_t kMessages = 300;
  for (std::uint64_t seq = 1; seq <= kMessages; ++seq) {
    const auto index = static_cast<int>(seq);
    const std::string subject = seq % 10 == 0 ? "dur.purged" : "dur.kept." + std::to_string(seq % 3);
    const auto message = make_message(subject.c_str(), crash_payload(0, index));
    if (seq % 7 == 0)
      REQUIRE(natsMsgHeader_Set(message.get(), "Seq-Mod", std::to_string(seq % 5).c_str()) == NATS_OK);
    const PubResult published = js_publish_msg(js.get(), message.get());
    REQUIRE(published.result == kJsOk);
    REQUIRE(published.seq == seq);
  }
  std::uint64_t expected_last_after_restart = kMessages + 1;
  if (with_removals) {
    // Interior deletes (one erased) and a filtered purge, then the oldest purged up to 201.
    REQUIRE(delete_msg(js.get(), "DURABLE", 251) == kJsOk);
    REQUIRE(erase_msg(js.get(), "DURABLE", 252) == kJsOk);
    REQUIRE(delete_msg(js.get(), "DURABLE", kMessages - 1) == kJsOk);
    REQUIRE(purge_stream(js.get(), "DURABLE", "dur.purged") == kJsOk);
    REQUIRE(purge_stream(js.get(), "DURABLE", nullptr, 201) == kJsOk);
  }
  const auto before_info = require_stream_info(js.get(), "DURABLE");
  const StateFigures before = state_of(*before_info);
  CHECK(before.last_seq == kMessages);
  CHECK(before.num_subjects == (with_removals ? 3 : 4));
  if (with_removals) {
    // 201..300 less the ten dur.purged ones (210..300) and the three deletes.
    CHECK(before.first_seq == 201);
    CHECK(before.messages == 87);
    CHECK(before.num_deleted == 13);
  } else {
    // max_msgs_per_subject 50 kept the last 50 of each dur.kept.N subject (90 were published to each)
    // and all 30 dur.purged ones.
    CHECK(before.messages == 180);
    CHECK(before.first_seq == 10);
  }
  const std::vector<std::string> messages_before = every_message(js.get(), "DURABLE", kMessages);

  js.reset();
  client.reset();
  server->stop();
  server = start_jetstream_server<Server>(store);
  client = std::make_unique<Client>(*server);
  REQUIRE(client->status() == NATS_OK);
  js = require_jetstream(client->connection());

  const auto after_info = require_stream_info(js.get(), "DURABLE");
  CHECK(state_of(*after_info) == before);
  CHECK(after_info->Created == before_info->Created);
  CHECK(std::string(after_info->Config->Description) == "kept across restarts");
  CHECK(after_info->Config->MaxMsgsPerSubject == 50);
  CHECK(after_info->Config->Storage == js_FileStorage);
  CHECK(after_info->State.FirstTime == before_info->State.FirstTime);
  CHECK(after_info->State.LastTime == before_info->State.LastTime);
  const std::vector<std::string> messages_after = every_message(js.get(), "DURABLE", kMessages);
  REQUIRE(messages_after.size() == messages_before.size());
  for (std::size_t i = 0; i < messages_before.size(); ++i) {
    INFO("sequence " << i + 1);
    CHECK(messages_after[i] == messages_before[i]);
  }
  // The sequence continues after the last one used (with removals: 300, purged), not after the last one
  // stored.
  // A subject of its own, so that the per-subject limit removes nothing.
  require_published(js.get(), "dur.after", "after restart", expected_last_after_restart);
  const StateFigures after_publish = require_state(js.get(), "DURABLE");
  CHECK(after_publish.messages == before.messages + 1);
  CHECK(after_publish.last_seq == kMessages + 1);
}

}  // namespace

TEMPLATE_TEST_CASE("jetstream file stream survives a restart", "[interop][jetstream][persistence]", Ternd,
                   NatsServer) {
  check_restart<TestType>(false);
}

// Not run against nats-server: 2.9.10 brings purged and deleted messages back after a clean restart of
// this stream (seen here: state {messages 100, num_deleted 1, num_subjects 4} after, against {88, 13, 3}
// before, seq 210 and the other dur.purged ones readable again), because it keeps deletes in lazily
// written index files. ternd's design forbids that, so the case holds ternd alone to it; the hidden case
// below shows nats-server's behaviour on demand.
TEST_CASE("jetstream ternd file stream keeps deletes and purges across a restart",
          "[interop][jetstream][persistence]") {
  check_restart<Ternd>(true);
}

TEST_CASE("jetstream nats-server file stream keeps deletes and purges across a restart (fails in 2.9.10)",
          "[.][interop][jetstream][persistence]") {
  check_restart<NatsServer>(true);
}

namespace {

// What the publisher of one crash round was told: acknowledged sequence -> payload index.
struct AckLog {
  std::mutex mutex;
  std::map<std::uint64_t, int> acked;
  std::atomic<std::size_t> count{0};
  int round = 0;

  static void on_ack(jsCtx* /*js*/, natsMsg* message, jsPubAck* ack, jsPubAckErr* /*error*/, void* closure) {
    auto* log = static_cast<AckLog*>(closure);
    if (ack != nullptr) {
      const auto [round, index] = parse_payload(message_data(message));
      const std::lock_guard lock(log->mutex);
      // A payload that is not this round's would be a libnats mix-up; record it as -1 to fail below.
      log->acked[ack->Sequence] = round == log->round ? index : -1;
      log->count.fetch_add(1);
    }
    natsMsg_Destroy(message);
  }
};

}  // namespace

namespace {

template <class Server>
void check_crash_rounds() {
  StoreDir store;
  constexpr int kRounds = 5;
  // Sequences acknowledged in earlier rounds, with their payloads, checked again after every crash.
  std::map<std::uint64_t, std::string> all_acked;
  std::uint64_t last_seq = 0;  // after the previous round's restart

  for (int round = 0; round < kRounds; ++round) {
    INFO("round " << round);
    auto server = start_jetstream_server<Server>(store);
    AckLog log;
    log.round = round;
    {
      Client client(*server);
      REQUIRE(client.status() == NATS_OK);
      auto js = require_jetstream(client.connection(), [&](jsOptions& options) {
        options.PublishAsync.MaxPending = 2000;
        options.PublishAsync.AckHandler = AckLog::on_ack;
        options.PublishAsync.AckHandlerClosure = &log;
      });
      if (round == 0) {
        std::vector<const char*> subjects{"crash.*"};
        auto config = stream_config("CRASH", subjects, js_FileStorage);
        require_add_stream(js.get(), config);
      }
      CHECK(require_state(js.get(), "CRASH").last_seq == last_seq);

      // The flood runs on its own thread until the server is gone; the kill comes once a few thousand
      // acknowledgements arrived, so that many publishes are in flight (stored or not) at that moment.
      std::atomic<bool> stop{false};
      std::thread publisher([&] {
        for (int index = 0; index < 1'000'000 && !stop.load(); ++index) {
          const std::string data = crash_payload(round, index);
          const std::string subject = crash_subject(index);
          jsPubOptions options;
          jsPubOptions_Init(&options);
          options.MaxWait = kWaitMillis;
          const natsStatus status = js_PublishAsync(js.get(), subject.c_str(), data.data(),
                                                    static_cast<int>(data.size()), &options);
          if (status != NATS_OK && status != NATS_TIMEOUT) break;  // the connection is gone
        }
      });
      const std::size_t kill_after = 2000 + static_cast<std::size_t>(round) * 500;
      const bool reached = eventually([&] { return log.count.load() >= kill_after; });
      server->kill_hard();
      stop.store(true);
      publisher.join();
      REQUIRE(reached);
      // Closing the client fails what is still pending; only the acknowledgements above count.
    }

    std::map<std::uint64_t, int> acked;
    {
      const std::lock_guard lock(log.mutex);
      acked = log.acked;
    }
    REQUIRE(!acked.empty());
    // The first publish of this round continues the sequence of the stream as recovered.
    CHECK(acked.begin()->first == last_seq + 1);

    server = start_jetstream_server<Server>(store);
    Client client(*server);
    REQUIRE(client.status() == NATS_OK);
    auto js = require_jetstream(client.connection());
    const StateFigures state = require_state(js.get(), "CRASH");
    const std::uint64_t max_acked = acked.rbegin()->first;
    CHECK(state.last_seq >= max_acked);
    CHECK(state.first_seq == 1);
    CHECK(state.num_deleted == 0);
    CHECK(state.messages == state.last_seq);

    // Every message of this round: an acknowledged one has exactly the acknowledged payload; one stored
    // after (or whose ack was lost in the kill) is one of ours, whole, on its subject.
    std::size_t bad = 0;
    for (std::uint64_t seq = last_seq + 1; seq <= state.last_seq; ++seq) {
      const StoredMessage stored = get_msg(js.get(), "CRASH", seq);
      const auto it = acked.find(seq);
      const auto [payload_round, index] = parse_payload(stored.data);
      const bool whole = stored.result == kJsOk && payload_round == round && index >= 0 &&
                         stored.data == crash_payload(round, index) && stored.subject == crash_subject(index);
      const bool as_acked = it == acked.end() || (whole && it->second == index);
      if (!whole || !as_acked) {
        if (++bad <= 5) {
          FAIL_CHECK("seq " << seq << (it != acked.end() ? " (acknowledged)" : "") << ": err_code "
                            << stored.result.err_code << ", subject " << stored.subject << ", "
                            << stored.data.size() << " bytes, payload index " << index);
        }
        continue;
      }
      if (it != acked.end()) all_acked[seq] = stored.data;
    }
    CHECK(bad == 0);
    // What earlier rounds had acknowledged is still there after this crash too; a stride keeps the number
    // of requests bounded, the full check was made right after each one's own crash.
    std::size_t checked = 0;
    for (auto it = all_acked.begin(); it != all_acked.end() && it->first <= last_seq; ++it) {
      if (++checked % 13 != 0) continue;
      const StoredMessage stored = get_msg(js.get(), "CRASH", it->first);
      INFO("earlier acknowledged seq " << it->first);
      CHECK(stored.data == it->second);
    }
    last_seq = state.last_seq;
    server->stop();
  }
}

}  // namespace

TEST_CASE("jetstream ternd keeps every acknowledged message across kill -9 during async publishing",
          "[interop][jetstream][persistence][crash]") {
  check_crash_rounds<Ternd>();
}

// nats-server is not the subject here; the hidden case shows the test's own mechanics work against it.
TEST_CASE("jetstream nats-server keeps every acknowledged message across kill -9 during async publishing",
          "[.][interop][jetstream][persistence][crash]") {
  check_crash_rounds<NatsServer>();
}

// A memory stream lives in the process only: after a restart on the same store directory nats-server
// knows nothing of it, and neither does ternd, while a file stream beside it is back.
TEMPLATE_TEST_CASE("jetstream memory streams do not outlive a restart, file streams do",
                   "[interop][jetstream]", Ternd, NatsServer) {
  StoreDir store;
  auto server = start_jetstream_server<TestType>(store);
  {
    Client client(*server);
    REQUIRE(client.status() == NATS_OK);
    const auto js = require_jetstream(client.connection());
    std::vector<const char*> memory_subjects{"mem.>"};
    auto memory = stream_config("MEMORY", memory_subjects, js_MemoryStorage);
    require_add_stream(js.get(), memory);
    std::vector<const char*> file_subjects{"file.>"};
    auto file = stream_config("FILE", file_subjects, js_FileStorage);
    require_add_stream(js.get(), file);
    require_published(js.get(), "mem.a", "kept in memory", 1);
    require_published(js.get(), "file.a", "kept on disk", 1);
  }
  server->stop();
  server = start_jetstream_server<TestType>(store);
  Client client(*server);
  REQUIRE(client.status() == NATS_OK);
  const auto js = require_jetstream(client.connection());
  CHECK(stream_info(js.get(), "MEMORY").result == js_not_found(10059));
  const auto file_info = require_stream_info(js.get(), "FILE");
  CHECK(file_info->State.Msgs == 1);
  CHECK(file_info->State.LastSeq == 1);
}
