// libnats's key-value API (kvStore_*) on top of JetStream streams, against ternd and nats-server 2.9.10.
// A bucket is a stream KV_<bucket> on $KV.<bucket>.>; a put is a publish, a get a direct get, create and
// update are publishes with Nats-Expected-Last-Subject-Sequence, delete and purge are marker messages.
// Keys, history and watch read the bucket through ordered push consumers, so those cases are tagged
// [consumers] and run against ternd only once it has them (tests/CMakeLists.txt).
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "tests/interop/jetstream_fixture.h"
#include "tests/support/skip.h"

using namespace tern::interop;

namespace {

struct KvStoreDeleter {
  void operator()(kvStore* kv) const { kvStore_Destroy(kv); }
};
struct KvEntryDeleter {
  void operator()(kvEntry* entry) const { kvEntry_Destroy(entry); }
};
struct KvStatusDeleter {
  void operator()(kvStatus* status) const { kvStatus_Destroy(status); }
};
using KvStorePtr = std::unique_ptr<kvStore, KvStoreDeleter>;
using KvEntryPtr = std::unique_ptr<kvEntry, KvEntryDeleter>;
struct KvWatcherDeleter {
  void operator()(kvWatcher* watcher) const { kvWatcher_Destroy(watcher); }
};
using KvStatusPtr = std::unique_ptr<kvStatus, KvStatusDeleter>;
using KvWatcherPtr = std::unique_ptr<kvWatcher, KvWatcherDeleter>;

KvStorePtr require_bucket(jsCtx* js, const char* bucket, std::uint8_t history, jsStorageType storage) {
  kvConfig config;
  REQUIRE(kvConfig_Init(&config) == NATS_OK);
  config.Bucket = bucket;
  config.History = history;
  config.StorageType = storage;
  kvStore* kv = nullptr;
  const natsStatus status = js_CreateKeyValue(&kv, js, &config);
  INFO("create bucket " << bucket << ": " << nats_GetLastError(nullptr));
  REQUIRE(status == NATS_OK);
  return KvStorePtr(kv);
}

struct Entry {
  natsStatus status = NATS_OK;
  std::string value;
  std::uint64_t revision = 0;
  kvOperation operation = kvOp_Unknown;
};

Entry get(kvStore* kv, const char* key, std::uint64_t revision = 0) {
  kvEntry* raw = nullptr;
  Entry entry;
  entry.status = revision == 0 ? kvStore_Get(&raw, kv, key) : kvStore_GetRevision(&raw, kv, key, revision);
  const KvEntryPtr owned(raw);
  if (entry.status != NATS_OK || raw == nullptr) return entry;
  const char* value = static_cast<const char*>(kvEntry_Value(raw));
  entry.value.assign(value == nullptr ? "" : value, static_cast<std::size_t>(kvEntry_ValueLen(raw)));
  entry.revision = kvEntry_Revision(raw);
  entry.operation = kvEntry_Operation(raw);
  return entry;
}

std::uint64_t require_put(kvStore* kv, const char* key, const char* value) {
  std::uint64_t revision = 0;
  REQUIRE(kvStore_PutString(&revision, kv, key, value) == NATS_OK);
  return revision;
}

}  // namespace

TEMPLATE_TEST_CASE("kv put, get, create, update, delete and purge", "[interop][jetstream][kv]", Ternd,
                   NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  const jsStorageType storage = GENERATE(js_FileStorage, js_MemoryStorage);
  INFO("storage " << (storage == js_MemoryStorage ? "memory" : "file"));
  const auto kv = require_bucket(js, "cfg", 3, storage);

  // The bucket is a stream with KV's configuration, echoed exactly as nats-server fills it in.
  {
    const auto info = require_stream_info(js, "KV_cfg");
    const jsStreamConfig& config = *info->Config;
    REQUIRE(config.SubjectsLen == 1);
    CHECK(std::string(config.Subjects[0]) == "$KV.cfg.>");
    CHECK(config.MaxMsgsPerSubject == 3);
    CHECK(config.Discard == js_DiscardNew);
    CHECK(config.DenyDelete);
    CHECK(config.AllowRollup);
    CHECK(config.AllowDirect);
    CHECK(config.Storage == storage);
    CHECK(config.Duplicates == 120'000'000'000);
  }
  // Creating the same bucket again finds the identical stream and succeeds (CREATE answers did_create).
  require_bucket(js, "cfg", 3, storage);

  CHECK(require_put(kv.get(), "a.b", "one") == 1);
  CHECK(require_put(kv.get(), "x", "first") == 2);
  CHECK(require_put(kv.get(), "a.b", "two") == 3);
  const Entry current = get(kv.get(), "a.b");
  CHECK(current.status == NATS_OK);
  CHECK(current.value == "two");
  CHECK(current.revision == 3);
  CHECK(current.operation == kvOp_Put);
  const Entry older = get(kv.get(), "a.b", 1);
  CHECK(older.status == NATS_OK);
  CHECK(older.value == "one");
  // Revision 2 is another key's: not found for a.b.
  CHECK(get(kv.get(), "a.b", 2).status == NATS_NOT_FOUND);
  CHECK(get(kv.get(), "missing").status == NATS_NOT_FOUND);

  // Create only when the key has no value; update only from the current revision.
  std::uint64_t revision = 0;
  CHECK(kvStore_CreateString(&revision, kv.get(), "a.b", "again") == NATS_ERR);
  CHECK(kvStore_CreateString(&revision, kv.get(), "fresh", "new") == NATS_OK);
  CHECK(revision == 4);
  CHECK(kvStore_UpdateString(&revision, kv.get(), "a.b", "stale", 1) == NATS_ERR);
  CHECK(kvStore_UpdateString(&revision, kv.get(), "a.b", "three", 3) == NATS_OK);
  CHECK(revision == 5);

  // Delete leaves a marker: get says not found, and create works on a deleted key.
  REQUIRE(kvStore_Delete(kv.get(), "x") == NATS_OK);
  CHECK(get(kv.get(), "x").status == NATS_NOT_FOUND);
  CHECK(kvStore_CreateString(&revision, kv.get(), "x", "reborn") == NATS_OK);
  CHECK(revision == 7);
  CHECK(get(kv.get(), "x").value == "reborn");

  // History 3: a fourth value of a.b drops its oldest (seq 1), which discard-new does not prevent for
  // max_msgs_per_subject.
  CHECK(require_put(kv.get(), "a.b", "four") == 8);
  CHECK(get(kv.get(), "a.b", 1).status == NATS_NOT_FOUND);

  // Purge: a rollup marker replaces every value of the key.
  REQUIRE(kvStore_Purge(kv.get(), "a.b", nullptr) == NATS_OK);
  CHECK(get(kv.get(), "a.b").status == NATS_NOT_FOUND);
  CHECK(get(kv.get(), "a.b", 8).status == NATS_NOT_FOUND);

  // What is left: x's first value (2), fresh (4), x's delete marker (6) and value (7), a.b's purge
  // marker (9); 3, 5 and 8 are interior deletes. (Bytes are checked in test_jetstream.cpp; the marker
  // headers' layout is libnats's business.)
  auto state = state_of(*require_stream_info(js, "KV_cfg"));
  state.bytes = 0;
  CHECK(state == StateFigures{5, 0, 2, 9, 3, 3});
  kvStatus* raw_status = nullptr;
  REQUIRE(kvStore_Status(&raw_status, kv.get()) == NATS_OK);
  const KvStatusPtr status(raw_status);
  CHECK(std::string(kvStatus_Bucket(raw_status)) == "cfg");
  CHECK(kvStatus_Values(raw_status) == 5);
  CHECK(kvStatus_History(raw_status) == 3);
  CHECK(kvStatus_TTL(raw_status) == 0);
  CHECK(kvStatus_Replicas(raw_status) == 1);
}

namespace {

// One watcher update as the case compares it: key, value, revision and operation.
struct Update {
  std::string key;
  std::string value;
  std::uint64_t revision = 0;
  kvOperation operation = kvOp_Unknown;
  bool operator==(const Update&) const = default;
};

// The watcher's next update; an empty key stands for the nil entry that ends the initial values.
Update require_update(kvWatcher* watcher) {
  kvEntry* raw = nullptr;
  INFO(nats_GetLastError(nullptr));
  REQUIRE(kvWatcher_Next(&raw, watcher, kWaitMillis) == NATS_OK);
  if (raw == nullptr) return Update{};
  const KvEntryPtr owned(raw);
  const char* value = static_cast<const char*>(kvEntry_Value(raw));
  return Update{kvEntry_Key(raw),
                std::string(value == nullptr ? "" : value, static_cast<std::size_t>(kvEntry_ValueLen(raw))),
                kvEntry_Revision(raw), kvEntry_Operation(raw)};
}

struct KeysResult {
  natsStatus status = NATS_OK;
  std::vector<std::string> keys;
};

KeysResult keys_of(kvStore* kv) {
  kvKeysList list{};
  KeysResult result;
  result.status = kvStore_Keys(&list, kv, nullptr);
  for (int i = 0; i < list.Count; ++i)
    result.keys.emplace_back(list.Keys[i]);
  kvKeysList_Destroy(&list);
  std::sort(result.keys.begin(), result.keys.end());
  return result;
}

struct HistoryResult {
  natsStatus status = NATS_OK;
  std::vector<Update> entries;
};

HistoryResult history_of(kvStore* kv, const char* key) {
  kvEntryList list{};
  HistoryResult result;
  result.status = kvStore_History(&list, kv, key, nullptr);
  for (int i = 0; i < list.Count; ++i) {
    kvEntry* entry = list.Entries[i];
    const char* value = static_cast<const char*>(kvEntry_Value(entry));
    result.entries.push_back(
        Update{kvEntry_Key(entry),
               std::string(value == nullptr ? "" : value, static_cast<std::size_t>(kvEntry_ValueLen(entry))),
               kvEntry_Revision(entry), kvEntry_Operation(entry)});
  }
  kvEntryList_Destroy(&list);
  return result;
}

}  // namespace

namespace Catch {
template <>
struct StringMaker<Update> {
  static std::string convert(const Update& u) {
    return "{" + u.key + "=" + u.value + " rev " + std::to_string(u.revision) + " op " +
           std::to_string(static_cast<int>(u.operation)) + "}";
  }
};
}  // namespace Catch

TEMPLATE_TEST_CASE("kv watch: initial values, the end marker, then live updates",
                   "[interop][jetstream][kv][consumers]", Ternd, NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  const auto kv = require_bucket(setup->js.get(), "watched", 5, js_FileStorage);

  // An empty bucket: the end-of-initial-values marker comes at once.
  {
    kvWatcher* raw = nullptr;
    REQUIRE(kvStore_WatchAll(&raw, kv.get(), nullptr) == NATS_OK);
    const KvWatcherPtr watcher(raw);
    CHECK(require_update(raw) == Update{});
  }

  require_put(kv.get(), "a", "1");
  require_put(kv.get(), "b", "2");
  require_put(kv.get(), "a", "3");
  kvWatcher* raw = nullptr;
  REQUIRE(kvStore_WatchAll(&raw, kv.get(), nullptr) == NATS_OK);
  const KvWatcherPtr watcher(raw);
  // The latest value of each key, in revision order, then the marker.
  CHECK(require_update(raw) == Update{"b", "2", 2, kvOp_Put});
  CHECK(require_update(raw) == Update{"a", "3", 3, kvOp_Put});
  CHECK(require_update(raw) == Update{});
  // Then every change as it happens: puts, a delete marker, a purge marker.
  require_put(kv.get(), "c", "4");
  CHECK(require_update(raw) == Update{"c", "4", 4, kvOp_Put});
  REQUIRE(kvStore_Delete(kv.get(), "b") == NATS_OK);
  CHECK(require_update(raw) == Update{"b", "", 5, kvOp_Delete});
  REQUIRE(kvStore_Purge(kv.get(), "a", nullptr) == NATS_OK);
  CHECK(require_update(raw) == Update{"a", "", 6, kvOp_Purge});

  // A watcher on one key sees only that key.
  kvWatcher* raw_one = nullptr;
  REQUIRE(kvStore_Watch(&raw_one, kv.get(), "c", nullptr) == NATS_OK);
  const KvWatcherPtr one(raw_one);
  CHECK(require_update(raw_one) == Update{"c", "4", 4, kvOp_Put});
  CHECK(require_update(raw_one) == Update{});
  require_put(kv.get(), "d", "ignored");
  require_put(kv.get(), "c", "5");
  CHECK(require_update(raw_one) == Update{"c", "5", 8, kvOp_Put});
  CHECK(require_update(raw) == Update{"d", "ignored", 7, kvOp_Put});
  CHECK(require_update(raw) == Update{"c", "5", 8, kvOp_Put});
  REQUIRE(kvWatcher_Stop(raw) == NATS_OK);
}

TEMPLATE_TEST_CASE("kv keys, history and purge deletes", "[interop][jetstream][kv][consumers]", Ternd,
                   NatsServer) {
  const auto setup = JetStreamSetup::start<TestType>();
  jsCtx* js = setup->js.get();
  const auto kv = require_bucket(js, "hist", 5, js_FileStorage);

  // An empty bucket has no keys (libnats says so with an empty list), and a key never written has no
  // history.
  const KeysResult none = keys_of(kv.get());
  CHECK(none.status == NATS_OK);
  CHECK(none.keys.empty());
  CHECK(history_of(kv.get(), "h").status == NATS_NOT_FOUND);

  require_put(kv.get(), "h", "v1");       // 1
  require_put(kv.get(), "x", "x1");       // 2
  require_put(kv.get(), "h", "v2");       // 3
  require_put(kv.get(), "gone", "soon");  // 4
  require_put(kv.get(), "h", "v3");       // 5
  const KeysResult keys = keys_of(kv.get());
  CHECK(keys.status == NATS_OK);
  CHECK(keys.keys == std::vector<std::string>{"gone", "h", "x"});
  const HistoryResult history = history_of(kv.get(), "h");
  CHECK(history.status == NATS_OK);
  CHECK(history.entries ==
        std::vector<Update>{{"h", "v1", 1, kvOp_Put}, {"h", "v2", 3, kvOp_Put}, {"h", "v3", 5, kvOp_Put}});

  // A deleted or purged key leaves the key list; its history ends with the marker.
  REQUIRE(kvStore_Delete(kv.get(), "gone") == NATS_OK);       // 6
  REQUIRE(kvStore_Purge(kv.get(), "x", nullptr) == NATS_OK);  // 7
  CHECK(keys_of(kv.get()).keys == std::vector<std::string>{"h"});
  CHECK(history_of(kv.get(), "gone").entries ==
        std::vector<Update>{{"gone", "soon", 4, kvOp_Put}, {"gone", "", 6, kvOp_Delete}});
  CHECK(history_of(kv.get(), "x").entries == std::vector<Update>{{"x", "", 7, kvOp_Purge}});

  // Purge deletes (markers of any age): the keys with a marker last lose everything, marker included.
  kvPurgeOptions purge;
  REQUIRE(kvPurgeOptions_Init(&purge) == NATS_OK);
  purge.DeleteMarkersOlderThan = -1;
  purge.Timeout = kWaitMillis;
  REQUIRE(kvStore_PurgeDeletes(kv.get(), &purge) == NATS_OK);
  CHECK(history_of(kv.get(), "gone").status == NATS_NOT_FOUND);
  CHECK(history_of(kv.get(), "x").status == NATS_NOT_FOUND);
  const StateFigures state = state_of(*require_stream_info(js, "KV_hist"));
  CHECK(state.messages == 3);
  CHECK(state.last_seq == 7);
  CHECK(keys_of(kv.get()).keys == std::vector<std::string>{"h"});
}

TEST_CASE("kv object store", "[interop][jetstream][kv]") {
  TERN_SKIP("libnats 3.4.1 has no object store API (no obs_* or objStore_* functions in nats.h)");
}
