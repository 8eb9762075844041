// libnats's JetStream stream API (js_*) against ternd and nats-server 2.9.10, both started with
// `-js -sd <fresh dir>`. Every figure is exact: sequences, err_codes, state (messages, bytes as
// nats-server accounts them, first/last, deleted, subjects) and stored subjects, payloads and headers.
// Consumers (push, pull, ordered) are the next issue and are not used here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/interop/jetstream_fixture.h"

using namespace tern::interop;

namespace {

// The header block libnats sends for one header, as stored and accounted by the server.
std::string one_header_block(std::string_view key, std::string_view value) {
  return "NATS/1.0\r\n" + std::string(key) + ": " + std::string(value) + "\r\n\r\n";
}

jsPubOptions pub_options() {
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = kWaitMillis;
  return options;
}

// The storage types every storage-sensitive case runs with; GENERATE reruns the case (and with it the
// server) once per value.
jsStorageType storage_under_test() {
  return GENERATE(js_FileStorage, js_MemoryStorage);
}

const char* storage_name(jsStorageType storage) {
  return storage == js_MemoryStorage ? "memory" : "file";
}

std::vector<std::string> sorted_names(const jsStreamNamesList& list) {
  std::vector<std::string> names(list.List, list.List + list.Count);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEMPLATE_TEST_CASE("jetstream account info counts streams and storage", "[interop][jetstream]", Ternd,
                   NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  const auto account = [&] {
    jsAccountInfo* raw = nullptr;
    jsErrCode err_code = static_cast<jsErrCode>(0);
    REQUIRE(js_GetAccountInfo(&raw, js, nullptr, &err_code) == NATS_OK);
    REQUIRE(err_code == 0);
    return AccountInfoPtr(raw);
  };
  {
    const auto info = account();
    CHECK(info->Streams == 0);
    CHECK(info->Consumers == 0);
    CHECK(info->Memory == 0);
    CHECK(info->Store == 0);
    // A standalone server without account limits reports every limit as -1 (unlimited)...
    CHECK(info->Limits.MaxStreams == -1);
    CHECK(info->Limits.MaxConsumers == -1);
    // ...except the storage limits, which nats-server derives from the machine; only their sign is portable.
    CHECK(info->Limits.MaxMemory != 0);
    CHECK(info->Limits.MaxStore != 0);
  }
  std::vector<const char*> file_subjects{"acct.file"};
  std::vector<const char*> memory_subjects{"acct.mem"};
  auto file_config = stream_config("ACCT_FILE", file_subjects, js_FileStorage);
  auto memory_config = stream_config("ACCT_MEM", memory_subjects, js_MemoryStorage);
  require_add_stream(js, file_config);
  require_add_stream(js, memory_config);
  require_published(js, "acct.file", "12345", 1);
  require_published(js, "acct.mem", "1234567890", 1);
  const auto info = account();
  CHECK(info->Streams == 2);
  CHECK(info->Store == file_msg_bytes("acct.file", "", "12345"));
  CHECK(info->Memory == memory_msg_bytes("acct.mem", "", "1234567890"));
}

TEMPLATE_TEST_CASE("jetstream stream create echoes defaults, refuses conflicts, updates and deletes",
                   "[interop][jetstream]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  const jsStorageType storage = storage_under_test();
  INFO("storage " << storage_name(storage));

  std::vector<const char*> subjects{"orders.*"};
  auto config = stream_config("ORDERS", subjects, storage);
  const auto created = require_add_stream(js, config);
  const jsStreamConfig& echoed = *created->Config;
  CHECK(std::string(echoed.Name) == "ORDERS");
  REQUIRE(echoed.SubjectsLen == 1);
  CHECK(std::string(echoed.Subjects[0]) == "orders.*");
  CHECK(echoed.Retention == js_LimitsPolicy);
  CHECK(echoed.MaxConsumers == -1);
  CHECK(echoed.MaxMsgs == -1);
  CHECK(echoed.MaxBytes == -1);
  CHECK(echoed.MaxAge == 0);
  CHECK(echoed.MaxMsgsPerSubject == -1);
  CHECK(echoed.MaxMsgSize == -1);
  CHECK(echoed.Discard == js_DiscardOld);
  CHECK(echoed.Storage == storage);
  CHECK(echoed.Replicas == 1);
  CHECK(echoed.Duplicates == 120'000'000'000);
  CHECK_FALSE(echoed.Sealed);
  CHECK_FALSE(echoed.DenyDelete);
  CHECK_FALSE(echoed.DenyPurge);
  CHECK_FALSE(echoed.AllowRollup);
  CHECK_FALSE(echoed.AllowDirect);
  CHECK(created->Created > 0);
  CHECK(state_of(*created) == StateFigures{});

  // Creating the same stream again with the same configuration succeeds (nats-server 2.9.10 answers
  // did_create as if new); with another configuration it is 10058.
  CHECK(add_stream(js, config).result == kJsOk);
  auto different = config;
  different.MaxMsgs = 10;
  CHECK(add_stream(js, different).result == js_error(10058));

  // Another stream whose subjects overlap: 10065. One with its own subjects is fine.
  std::vector<const char*> overlapping{"orders.new"};
  auto overlap_config = stream_config("OTHER", overlapping, storage);
  CHECK(add_stream(js, overlap_config).result == js_error(10065));
  std::vector<const char*> separate{"billing.>"};
  auto billing = stream_config("BILLING", separate, storage);
  require_add_stream(js, billing);

  // Names that are not allowed: 10128 for a path separator... libnats refuses '.' itself, so only the
  // server-side check is exercised here.
  std::vector<const char*> none;
  auto bad_name = stream_config("A/B", none, storage);
  CHECK(add_stream(js, bad_name).result == js_error(10128));

  // Info of a stream that does not exist: 10059.
  CHECK(stream_info(js, "MISSING").result == js_not_found(10059));

  // Update: new subjects and a limit are taken; an update that overlaps another stream is 10065; an
  // update of a missing stream is 10059; the storage type cannot change (10052).
  std::vector<const char*> more_subjects{"orders.*", "returns.*"};
  auto updated = stream_config("ORDERS", more_subjects, storage);
  updated.MaxMsgs = 100;
  const auto after_update = update_stream(js, updated);
  REQUIRE(after_update.result == kJsOk);
  REQUIRE(after_update.info->Config->SubjectsLen == 2);
  CHECK(std::string(after_update.info->Config->Subjects[1]) == "returns.*");
  CHECK(after_update.info->Config->MaxMsgs == 100);
  std::vector<const char*> steal{"orders.*", "billing.x"};
  auto overlapping_update = stream_config("ORDERS", steal, storage);
  CHECK(update_stream(js, overlapping_update).result == js_error(10065));
  auto missing = stream_config("NOPE", more_subjects, storage);
  CHECK(update_stream(js, missing).result == js_not_found(10059));
  auto storage_change =
      stream_config("ORDERS", more_subjects, storage == js_FileStorage ? js_MemoryStorage : js_FileStorage);
  CHECK(update_stream(js, storage_change).result == js_error(10052));

  // Names and list: both streams, in any order.
  {
    jsStreamNamesList* names = nullptr;
    jsErrCode err_code = static_cast<jsErrCode>(0);
    REQUIRE(js_StreamNames(&names, js, nullptr, &err_code) == NATS_OK);
    CHECK(sorted_names(*names) == std::vector<std::string>{"BILLING", "ORDERS"});
    jsStreamNamesList_Destroy(names);
    jsStreamInfoList* infos = nullptr;
    REQUIRE(js_Streams(&infos, js, nullptr, &err_code) == NATS_OK);
    REQUIRE(infos->Count == 2);
    std::vector<std::string> listed;
    for (int i = 0; i < infos->Count; ++i)
      listed.emplace_back(infos->List[i]->Config->Name);
    std::sort(listed.begin(), listed.end());
    CHECK(listed == std::vector<std::string>{"BILLING", "ORDERS"});
    jsStreamInfoList_Destroy(infos);
  }

  // Delete, then it is gone: info and a second delete are 10059, and its subjects are free again.
  CHECK(delete_stream(js, "ORDERS") == kJsOk);
  CHECK(stream_info(js, "ORDERS").result == js_not_found(10059));
  CHECK(delete_stream(js, "ORDERS") == js_not_found(10059));
  CHECK(add_stream(js, overlap_config).result == kJsOk);
}

TEMPLATE_TEST_CASE("jetstream publish acknowledges sequences and accounts bytes exactly",
                   "[interop][jetstream]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  const jsStorageType storage = storage_under_test();
  INFO("storage " << storage_name(storage));

  std::vector<const char*> subjects{"events.>"};
  auto config = stream_config("EVENTS", subjects, storage);
  require_add_stream(js, config);

  const PubResult first = js_publish(js, "events.a", "hello");
  CHECK(first.result == kJsOk);
  CHECK(first.seq == 1);
  CHECK(first.stream == "EVENTS");
  CHECK_FALSE(first.duplicate);
  require_published(js, "events.b.c", "", 2);

  // A message with headers of its own: they are stored and returned, and count in the bytes.
  const auto with_headers = make_message("events.a", "with headers");
  REQUIRE(natsMsgHeader_Set(with_headers.get(), "Trace", "t-1") == NATS_OK);
  const PubResult third = js_publish_msg(js, with_headers.get());
  CHECK(third.result == kJsOk);
  CHECK(third.seq == 3);

  // A publish to a subject no stream holds gets no PubAck: libnats reports no responders.
  CHECK(js_publish(js, "elsewhere", "x").result.status == NATS_NO_RESPONDERS);

  const std::uint64_t bytes =
      msg_bytes(storage, "events.a", "", "hello") + msg_bytes(storage, "events.b.c", "", "") +
      msg_bytes(storage, "events.a", one_header_block("Trace", "t-1"), "with headers");
  CHECK(require_state(js, "EVENTS") == StateFigures{3, bytes, 1, 3, 0, 2});

  const auto stored = get_msg(js, "EVENTS", 3);
  REQUIRE(stored.result == kJsOk);
  CHECK(stored.subject == "events.a");
  CHECK(stored.data == "with headers");
  CHECK(stored.seq == 3);
  CHECK(header_value(stored.message.get(), "Trace") == "t-1");
  CHECK(natsMsg_GetTime(stored.message.get()) > 0);
  const auto empty = get_msg(js, "EVENTS", 2);
  REQUIRE(empty.result == kJsOk);
  CHECK(empty.subject == "events.b.c");
  CHECK(empty.data.empty());

  // The stream is an ordinary subscriber: a core subscriber sees the same message.
  const auto core = subscribe_sync(setup->client->connection(), "events.>");
  require_flush(setup->client->connection());
  require_published(js, "events.z", "seen by both", 4);
  const auto delivered = require_next_message(core.get());
  CHECK(message_data(delivered.get()) == "seen by both");
}

TEMPLATE_TEST_CASE("jetstream Nats-Msg-Id dedupes within the window", "[interop][jetstream]", Ternd,
                   NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  std::vector<const char*> subjects{"dedupe"};
  auto config = stream_config("DEDUPE", subjects);
  require_add_stream(js, config);

  auto options = pub_options();
  options.MsgId = "id-1";
  const PubResult first = js_publish(js, "dedupe", "one", &options);
  CHECK(first.result == kJsOk);
  CHECK(first.seq == 1);
  CHECK_FALSE(first.duplicate);
  // The same id again: the original sequence, flagged duplicate, nothing stored.
  const PubResult again = js_publish(js, "dedupe", "one again", &options);
  CHECK(again.result == kJsOk);
  CHECK(again.seq == 1);
  CHECK(again.duplicate);
  options.MsgId = "id-2";
  const PubResult second = js_publish(js, "dedupe", "two", &options);
  CHECK(second.seq == 2);
  CHECK_FALSE(second.duplicate);

  const std::uint64_t bytes = file_msg_bytes("dedupe", one_header_block("Nats-Msg-Id", "id-1"), "one") +
                              file_msg_bytes("dedupe", one_header_block("Nats-Msg-Id", "id-2"), "two");
  CHECK(require_state(js, "DEDUPE") == StateFigures{2, bytes, 1, 2, 0, 1});
  const auto stored = get_msg(js, "DEDUPE", 1);
  REQUIRE(stored.result == kJsOk);
  CHECK(stored.data == "one");
  CHECK(header_value(stored.message.get(), "Nats-Msg-Id") == "id-1");
}

TEMPLATE_TEST_CASE("jetstream expected-stream, last-seq, last-subject-seq and last-msg-id checks",
                   "[interop][jetstream]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  std::vector<const char*> subjects{"exp.*"};
  auto config = stream_config("EXP", subjects);
  require_add_stream(js, config);

  auto options = pub_options();
  options.MsgId = "m1";
  CHECK(js_publish(js, "exp.a", "1", &options).seq == 1);
  options = pub_options();
  CHECK(js_publish(js, "exp.b", "2", &options).seq == 2);

  options = pub_options();
  options.ExpectStream = "OTHER";
  CHECK(js_publish(js, "exp.a", "x", &options).result == js_error(10060));
  options.ExpectStream = "EXP";
  CHECK(js_publish(js, "exp.a", "3", &options).seq == 3);

  options = pub_options();
  options.ExpectLastSeq = 2;
  CHECK(js_publish(js, "exp.a", "x", &options).result == js_error(10071));
  options.ExpectLastSeq = 3;
  CHECK(js_publish(js, "exp.a", "4", &options).seq == 4);

  // The last message on exp.b is seq 2; on exp.a it is 4.
  options = pub_options();
  options.ExpectLastSubjectSeq = 4;
  CHECK(js_publish(js, "exp.b", "x", &options).result == js_error(10071));
  options.ExpectLastSubjectSeq = 2;
  CHECK(js_publish(js, "exp.b", "5", &options).seq == 5);

  // ExpectNoMessage: no message on the subject yet (Nats-Expected-Last-Subject-Sequence: 0).
  options = pub_options();
  options.ExpectNoMessage = true;
  CHECK(js_publish(js, "exp.a", "x", &options).result == js_error(10071));
  CHECK(js_publish(js, "exp.c", "6", &options).seq == 6);

  // The last Msg-Id is the last stored message's, even when it had none: after seq 6 (no id), m1 is
  // no longer the last.
  options = pub_options();
  options.ExpectLastMsgId = "m1";
  CHECK(js_publish(js, "exp.a", "x", &options).result == js_error(10070));
  options = pub_options();
  options.MsgId = "m7";
  CHECK(js_publish(js, "exp.a", "7", &options).seq == 7);
  options = pub_options();
  options.ExpectLastMsgId = "nope";
  CHECK(js_publish(js, "exp.a", "x", &options).result == js_error(10070));
  options.ExpectLastMsgId = "m7";
  CHECK(js_publish(js, "exp.a", "8", &options).seq == 8);

  // Refused publishes stored nothing.
  const auto state = require_state(js, "EXP");
  CHECK(state.messages == 8);
  CHECK(state.last_seq == 8);
  CHECK(state.num_subjects == 3);
}

TEMPLATE_TEST_CASE("jetstream get, get-last, delete and erase messages", "[interop][jetstream]", Ternd,
                   NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  const jsStorageType storage = storage_under_test();
  INFO("storage " << storage_name(storage));
  std::vector<const char*> subjects{"m.*"};
  auto config = stream_config("MSGS", subjects, storage);
  require_add_stream(js, config);
  for (std::uint64_t i = 1; i <= 6; ++i) {
    require_published(js, i % 2 == 1 ? "m.odd" : "m.even", "payload-" + std::to_string(i), i);
  }

  const auto last_even = get_last_msg(js, "MSGS", "m.even");
  REQUIRE(last_even.result == kJsOk);
  CHECK(last_even.seq == 6);
  CHECK(last_even.data == "payload-6");
  CHECK(get_last_msg(js, "MSGS", "m.none").result == js_not_found(10037));
  CHECK(get_msg(js, "MSGS", 99).result == js_not_found(10037));
  // (libnats maps a missing stream to NATS_NOT_FOUND for most calls, but not for js_GetMsg.)
  CHECK(get_msg(js, "NOSTREAM", 1).result == js_error(10059));

  CHECK(delete_msg(js, "MSGS", 6) == kJsOk);
  CHECK(erase_msg(js, "MSGS", 3) == kJsOk);
  CHECK(get_msg(js, "MSGS", 3).result == js_not_found(10037));
  CHECK(get_msg(js, "MSGS", 6).result == js_not_found(10037));
  // The last odd message is still 5 (3 was interior). Not checked: the last even one after deleting 6,
  // because nats-server 2.9.10's file store then answers 10037 (its per-subject last is not recomputed),
  // a bug rather than a rule.
  const auto last_odd = get_last_msg(js, "MSGS", "m.odd");
  REQUIRE(last_odd.result == kJsOk);
  CHECK(last_odd.seq == 5);
  CHECK(last_odd.data == "payload-5");
  // Deleting what is already gone: 10043 "sequence 3 not found".
  CHECK(delete_msg(js, "MSGS", 3) == js_error(10043));

  std::uint64_t bytes = 0;
  for (std::uint64_t i : {1, 2, 4, 5}) {
    bytes += msg_bytes(storage, i % 2 == 1 ? "m.odd" : "m.even", "", "payload-" + std::to_string(i));
  }
  // Deleting the last message keeps last_seq at 6; interior delete 3 and tail 6 are both "deleted".
  CHECK(require_state(js, "MSGS") == StateFigures{4, bytes, 1, 6, 2, 2});

  // Deleting the first message moves first_seq.
  CHECK(delete_msg(js, "MSGS", 1) == kJsOk);
  bytes -= msg_bytes(storage, "m.odd", "", "payload-1");
  CHECK(require_state(js, "MSGS") == StateFigures{3, bytes, 2, 6, 2, 2});
  // New publishes continue after the highest sequence ever used.
  require_published(js, "m.odd", "payload-7", 7);
}

TEMPLATE_TEST_CASE("jetstream purge: all, by subject, up to a sequence, keeping some", "[interop][jetstream]",
                   Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  const jsStorageType storage = storage_under_test();
  INFO("storage " << storage_name(storage));
  std::vector<const char*> subjects{"p.*"};
  auto config = stream_config("PURGE", subjects, storage);
  require_add_stream(js, config);
  const auto subject_of = [](std::uint64_t seq) { return seq % 2 == 1 ? "p.a" : "p.b"; };
  const auto data_of = [](std::uint64_t seq) { return "d" + std::to_string(seq); };
  const auto bytes_of = [&](std::initializer_list<std::uint64_t> seqs) {
    std::uint64_t total = 0;
    for (auto seq : seqs)
      total += msg_bytes(storage, subject_of(seq), "", data_of(seq));
    return total;
  };
  for (std::uint64_t seq = 1; seq <= 10; ++seq)
    require_published(js, subject_of(seq), data_of(seq), seq);

  // Keep the last 2 of p.a (7, 9): 1, 3, 5 go; 1 was the first, so 3 and 5 are the interior deletes.
  CHECK(purge_stream(js, "PURGE", "p.a", 0, 2) == kJsOk);
  CHECK(require_state(js, "PURGE") == StateFigures{7, bytes_of({2, 4, 6, 7, 8, 9, 10}), 2, 10, 2, 2});
  // Everything below 6 on p.b: 2 and 4 go.
  CHECK(purge_stream(js, "PURGE", "p.b", 6, 0) == kJsOk);
  CHECK(require_state(js, "PURGE") == StateFigures{5, bytes_of({6, 7, 8, 9, 10}), 6, 10, 0, 2});
  // Everything below 9 on any subject: 6, 7, 8 go.
  CHECK(purge_stream(js, "PURGE", nullptr, 9, 0) == kJsOk);
  CHECK(require_state(js, "PURGE") == StateFigures{2, bytes_of({9, 10}), 9, 10, 0, 2});
  // Keep 1 of all: 9 goes.
  CHECK(purge_stream(js, "PURGE", nullptr, 0, 1) == kJsOk);
  auto kept_one = require_state(js, "PURGE");
  // nats-server 2.9.10's memory store keeps counting p.a as a subject after an unfiltered keep purge
  // (memstore.go's Compact does not update its per-subject state); its file store says 1. Only the file
  // figure is a rule worth holding ternd to.
  if (storage == js_MemoryStorage) kept_one.num_subjects = 1;
  CHECK(kept_one == StateFigures{1, bytes_of({10}), 10, 10, 0, 1});
  // All: empty, first_seq moves past the last sequence, and publishing continues from there.
  CHECK(purge_stream(js, "PURGE") == kJsOk);
  CHECK(require_state(js, "PURGE") == StateFigures{0, 0, 11, 10, 0, 0});
  require_published(js, "p.a", "after", 11);
  CHECK(require_state(js, "PURGE") == StateFigures{1, msg_bytes(storage, "p.a", "", "after"), 11, 11, 0, 1});
  CHECK(purge_stream(js, "NOSTREAM") == js_not_found(10059));
}

TEMPLATE_TEST_CASE("jetstream max_msgs with discard old and discard new", "[interop][jetstream]", Ternd,
                   NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  const jsStorageType storage = storage_under_test();
  INFO("storage " << storage_name(storage));

  std::vector<const char*> old_subjects{"old"};
  auto old_config = stream_config("OLD", old_subjects, storage);
  old_config.MaxMsgs = 3;
  require_add_stream(js, old_config);
  for (std::uint64_t seq = 1; seq <= 5; ++seq)
    require_published(js, "old", "m" + std::to_string(seq), seq);
  CHECK(require_state(js, "OLD") == StateFigures{3, 3 * msg_bytes(storage, "old", "", "m1"), 3, 5, 0, 1});
  CHECK(get_msg(js, "OLD", 2).result == js_not_found(10037));
  CHECK(get_msg(js, "OLD", 3).data == "m3");

  std::vector<const char*> new_subjects{"new"};
  auto new_config = stream_config("NEW", new_subjects, storage);
  new_config.MaxMsgs = 3;
  new_config.Discard = js_DiscardNew;
  require_add_stream(js, new_config);
  for (std::uint64_t seq = 1; seq <= 3; ++seq)
    require_published(js, "new", "m" + std::to_string(seq), seq);
  CHECK(js_publish(js, "new", "m4").result == js_error(10077));
  CHECK(require_state(js, "NEW") == StateFigures{3, 3 * msg_bytes(storage, "new", "", "m1"), 1, 3, 0, 1});
}

TEMPLATE_TEST_CASE("jetstream max_msgs_per_subject, max_bytes and max_msg_size", "[interop][jetstream]",
                   Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  const jsStorageType storage = storage_under_test();
  INFO("storage " << storage_name(storage));

  // Two per subject, discard old: the oldest of a subject goes, other subjects are untouched.
  std::vector<const char*> per_subject{"ps.*"};
  auto ps_config = stream_config("PS", per_subject, storage);
  ps_config.MaxMsgsPerSubject = 2;
  require_add_stream(js, ps_config);
  require_published(js, "ps.a", "a1", 1);
  require_published(js, "ps.b", "b1", 2);
  require_published(js, "ps.a", "a2", 3);
  require_published(js, "ps.a", "a3", 4);
  CHECK(get_msg(js, "PS", 1).result == js_not_found(10037));
  CHECK(require_state(js, "PS") == StateFigures{3, 3 * msg_bytes(storage, "ps.a", "", "a1"), 2, 4, 0, 2});

  // max_bytes with discard old: room for exactly three 10-byte payloads on subject "mb".
  const std::uint64_t one = msg_bytes(storage, "mb", "", "0123456789");
  std::vector<const char*> mb_subjects{"mb"};
  auto mb_config = stream_config("MB", mb_subjects, storage);
  mb_config.MaxBytes = static_cast<std::int64_t>(3 * one);
  require_add_stream(js, mb_config);
  for (std::uint64_t seq = 1; seq <= 4; ++seq)
    require_published(js, "mb", "0123456789", seq);
  CHECK(require_state(js, "MB") == StateFigures{3, 3 * one, 2, 4, 0, 1});

  // The same with discard new: the fourth is refused with 10077.
  std::vector<const char*> mbn_subjects{"mbn"};
  const std::uint64_t one_new = msg_bytes(storage, "mbn", "", "0123456789");
  auto mbn_config = stream_config("MBN", mbn_subjects, storage);
  mbn_config.MaxBytes = static_cast<std::int64_t>(3 * one_new);
  mbn_config.Discard = js_DiscardNew;
  require_add_stream(js, mbn_config);
  for (std::uint64_t seq = 1; seq <= 3; ++seq)
    require_published(js, "mbn", "0123456789", seq);
  CHECK(js_publish(js, "mbn", "0123456789").result == js_error(10077));
  CHECK(require_state(js, "MBN") == StateFigures{3, 3 * one_new, 1, 3, 0, 1});

  // max_msg_size 8: 8 bytes of payload pass, 9 are refused with 10054.
  std::vector<const char*> size_subjects{"size"};
  auto size_config = stream_config("SIZE", size_subjects, storage);
  size_config.MaxMsgSize = 8;
  require_add_stream(js, size_config);
  require_published(js, "size", "12345678", 1);
  CHECK(js_publish(js, "size", "123456789").result == js_error(10054));
  CHECK(require_state(js, "SIZE").messages == 1);
}

TEMPLATE_TEST_CASE("jetstream max_age expires messages", "[interop][jetstream]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  const jsStorageType storage = storage_under_test();
  INFO("storage " << storage_name(storage));
  std::vector<const char*> subjects{"age"};
  auto config = stream_config("AGE", subjects, storage);
  config.MaxAge = 500'000'000;  // 500 ms
  const auto created = require_add_stream(js, config);
  // The duplicate window defaults to max_age when that is shorter than two minutes.
  CHECK(created->Config->Duplicates == 500'000'000);
  for (std::uint64_t seq = 1; seq <= 3; ++seq)
    require_published(js, "age", "aging", seq);
  // Expiry is the event: wait for it (the servers check ages on a timer), then check what is left.
  CHECK(eventually([&] { return require_state(js, "AGE").messages == 0; }));
  CHECK(require_state(js, "AGE") == StateFigures{0, 0, 4, 3, 0, 0});
  require_published(js, "age", "fresh", 4);
}

TEMPLATE_TEST_CASE("jetstream Nats-Rollup replaces a subject or the whole stream", "[interop][jetstream]",
                   Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  const jsStorageType storage = storage_under_test();
  INFO("storage " << storage_name(storage));

  std::vector<const char*> no_rollup_subjects{"nr.*"};
  auto no_rollup = stream_config("NR", no_rollup_subjects, storage);
  require_add_stream(js, no_rollup);
  const auto refused = make_message("nr.a", "x");
  REQUIRE(natsMsgHeader_Set(refused.get(), "Nats-Rollup", "sub") == NATS_OK);
  CHECK(js_publish_msg(js, refused.get()).result == js_error(10111));

  std::vector<const char*> subjects{"ru.*"};
  auto config = stream_config("RU", subjects, storage);
  config.AllowRollup = true;
  require_add_stream(js, config);
  require_published(js, "ru.a", "a1", 1);
  require_published(js, "ru.b", "b1", 2);
  require_published(js, "ru.a", "a2", 3);
  const auto sub_rollup = make_message("ru.a", "a-rollup");
  REQUIRE(natsMsgHeader_Set(sub_rollup.get(), "Nats-Rollup", "sub") == NATS_OK);
  CHECK(js_publish_msg(js, sub_rollup.get()).seq == 4);
  const std::string rollup_sub_header = one_header_block("Nats-Rollup", "sub");
  CHECK(require_state(js, "RU") == StateFigures{2,
                                                msg_bytes(storage, "ru.b", "", "b1") +
                                                    msg_bytes(storage, "ru.a", rollup_sub_header, "a-rollup"),
                                                2, 4, 1, 2});
  const auto all_rollup = make_message("ru.c", "everything");
  REQUIRE(natsMsgHeader_Set(all_rollup.get(), "Nats-Rollup", "all") == NATS_OK);
  CHECK(js_publish_msg(js, all_rollup.get()).seq == 5);
  auto after_all = require_state(js, "RU");
  // nats-server 2.9.10's memory store keeps the rolled-up subjects in num_subjects (3); the file store
  // says 1, the figure ternd is held to.
  if (storage == js_MemoryStorage) after_all.num_subjects = 1;
  CHECK(after_all ==
        StateFigures{1, msg_bytes(storage, "ru.c", one_header_block("Nats-Rollup", "all"), "everything"), 5,
                     5, 0, 1});
  const auto kept = get_msg(js, "RU", 5);
  REQUIRE(kept.result == kJsOk);
  CHECK(kept.data == "everything");
  CHECK(header_value(kept.message.get(), "Nats-Rollup") == "all");
}

TEMPLATE_TEST_CASE("jetstream sealed, deny_delete and deny_purge refuse", "[interop][jetstream]", Ternd,
                   NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();

  std::vector<const char*> guarded_subjects{"guarded"};
  auto guarded = stream_config("GUARDED", guarded_subjects);
  guarded.DenyDelete = true;
  guarded.DenyPurge = true;
  require_add_stream(js, guarded);
  require_published(js, "guarded", "g1", 1);
  CHECK(delete_msg(js, "GUARDED", 1) == js_error(10057));
  CHECK(purge_stream(js, "GUARDED") == js_error(10110));
  // Neither flag can be lifted by an update (10052).
  auto lifted = guarded;
  lifted.DenyDelete = false;
  CHECK(update_stream(js, lifted).result == js_error(10052));
  CHECK(require_state(js, "GUARDED").messages == 1);

  // Creating a stream sealed is refused (10052); sealing one by update works, and then it takes no
  // publishes, deletes or purges, and cannot be unsealed.
  std::vector<const char*> sealed_subjects{"sealed"};
  auto sealed_at_create = stream_config("SEALED", sealed_subjects);
  sealed_at_create.Sealed = true;
  CHECK(add_stream(js, sealed_at_create).result == js_error(10052));
  auto config = stream_config("SEALED", sealed_subjects);
  require_add_stream(js, config);
  require_published(js, "sealed", "s1", 1);
  require_published(js, "sealed", "s2", 2);
  config.Sealed = true;
  const auto sealed = update_stream(js, config);
  REQUIRE(sealed.result == kJsOk);
  CHECK(sealed.info->Config->Sealed);
  // Sealing also turns on deny_delete and deny_purge.
  CHECK(sealed.info->Config->DenyDelete);
  CHECK(sealed.info->Config->DenyPurge);
  CHECK(js_publish(js, "sealed", "s3").result == js_error(10109));
  CHECK(delete_msg(js, "SEALED", 1) == js_error(10109));
  CHECK(purge_stream(js, "SEALED") == js_error(10109));
  config.Sealed = false;
  CHECK(update_stream(js, config).result == js_error(10052));
  CHECK(require_state(js, "SEALED") == StateFigures{2, 2 * file_msg_bytes("sealed", "", "s1"), 1, 2, 0, 1});
  // A sealed stream can still be read and deleted.
  CHECK(get_msg(js, "SEALED", 2).data == "s2");
  CHECK(delete_stream(js, "SEALED") == kJsOk);
}

TEMPLATE_TEST_CASE("jetstream async publish acknowledges every message in order", "[interop][jetstream]",
                   Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  const jsStorageType storage = storage_under_test();
  INFO("storage " << storage_name(storage));
  std::vector<const char*> subjects{"async.*"};
  auto config = stream_config("ASYNC", subjects, storage);
  require_add_stream(js, config);

  constexpr int kMessages = 2000;
  std::uint64_t bytes = 0;
  for (int i = 0; i < kMessages; ++i) {
    const std::string subject = i % 3 == 0 ? "async.x" : "async.y";
    const std::string data = "payload " + std::to_string(i);
    bytes += msg_bytes(storage, subject, "", data);
    REQUIRE(js_PublishAsync(js, subject.c_str(), data.data(), static_cast<int>(data.size()), nullptr) ==
            NATS_OK);
  }
  jsPubOptions complete = pub_options();
  REQUIRE(js_PublishAsyncComplete(js, &complete) == NATS_OK);
  CHECK(require_state(js, "ASYNC") == StateFigures{kMessages, bytes, 1, kMessages, 0, 2});
  // Stored in publish order: spot-check the ends and the middle.
  for (int seq : {1, 1000, kMessages}) {
    const auto stored = get_msg(js, "ASYNC", static_cast<std::uint64_t>(seq));
    REQUIRE(stored.result == kJsOk);
    CHECK(stored.data == "payload " + std::to_string(seq - 1));
  }
}

TEMPLATE_TEST_CASE("jetstream stream info with a subjects filter", "[interop][jetstream]", Ternd,
                   NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  std::vector<const char*> subjects{"sf.>"};
  auto config = stream_config("SF", subjects);
  require_add_stream(js, config);
  require_published(js, "sf.a", "1", 1);
  require_published(js, "sf.a", "2", 2);
  require_published(js, "sf.b.c", "3", 3);
  const auto info = stream_info(js, "SF", "sf.a");
  REQUIRE(info.result == kJsOk);
  REQUIRE(info.info->State.Subjects != nullptr);
  REQUIRE(info.info->State.Subjects->Count == 1);
  CHECK(std::string(info.info->State.Subjects->List[0].Subject) == "sf.a");
  CHECK(info.info->State.Subjects->List[0].Msgs == 2);
  const auto all = stream_info(js, "SF", ">");
  REQUIRE(all.result == kJsOk);
  REQUIRE(all.info->State.Subjects != nullptr);
  CHECK(all.info->State.Subjects->Count == 2);
}
