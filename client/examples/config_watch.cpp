// A configuration service on a JetStream key-value bucket: the bucket `config` keeps the last five values
// of every key, a watcher prints each change as it happens (as a service reloading its settings would
// react to them), and the example writes, updates and deletes a few keys, then reads a current value, an
// old revision and a key's history.
//
// Usage: config_watch [URL]   (URL defaults to $NATS_URL, then nats://127.0.0.1:4222)
// The server needs JetStream: `scripts/run` or `nats-server -js`.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>

#include "client/client.h"
#include "client/jetstream/jetstream.h"
#include "client/jetstream/kv.h"

namespace js = tern::client::jetstream;
using namespace std::chrono_literals;

namespace {

// What the watcher has seen, shared between the I/O thread (which calls the watcher) and main.
class Changes {
 public:
  void seen(const js::WatchUpdate& update) {
    std::lock_guard lock(mu_);
    if (!update.entry) {
      initial_done_ = true;  // Everything stored before the watch began has been delivered.
    } else {
      const js::KeyValueEntry& entry = *update.entry;
      if (entry.op == js::KeyValueOp::kPut) {
        std::cout << entry.key << " = " << entry.value << " (revision " << entry.revision << ")\n";
      } else {
        std::cout << entry.key << (entry.op == js::KeyValueOp::kDelete ? " deleted" : " purged") << "\n";
      }
      ++count_;
    }
    changed_.notify_all();
  }

  // Waits until the watcher has delivered what was stored when it began; false on timeout.
  bool wait_initial(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return initial_done_; });
  }
  // Waits until the watcher has seen `count` changes in all; false on timeout.
  bool wait_count(int count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return count_ >= count; });
  }
  // Main's own lines go through the same mutex, so no line is torn by the watcher's.
  template <typename... Parts>
  void print(const Parts&... parts) {
    std::lock_guard lock(mu_);
    (std::cout << ... << parts) << "\n";
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  bool initial_done_ = false;
  int count_ = 0;
};

// Prints why the example stops; returns its exit status.
int fail(const std::string& what) {
  std::cerr << "config_watch: " << what << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const char* env_url = std::getenv("NATS_URL");
  const std::string url = argc > 1 ? argv[1] : env_url ? env_url : "nats://127.0.0.1:4222";
  auto client = tern::Client::connect(url);
  if (!client) return fail("connect to " + url + ": " + client.error().message());
  js::JetStream jetstream(*client);

  // A fresh bucket each run, so that revisions start at 1.
  if (auto error = js::delete_key_value(jetstream, "config"); error && error != js::Errc::kBucketNotFound) {
    return fail("delete bucket config: " + error.message());
  }
  js::KeyValueConfig bucket;
  bucket.bucket = "config";
  bucket.history = 5;
  auto kv = js::create_key_value(jetstream, bucket);
  if (!kv) return fail("create bucket config: " + kv.error().message());

  Changes changes;
  auto watcher = kv->watch(">", [&](js::WatchUpdate update) { changes.seen(update); });
  if (!watcher) return fail("watch: " + watcher.error().message());
  if (!changes.wait_initial(5s)) return fail("the watcher did not start in time");

  // Six changes: three puts, an overwrite, an update that expects the revision it read, and a delete.
  const auto write = [&](const char* what, tern::client::Expected<std::uint64_t> revision) {
    if (!revision) std::cerr << "config_watch: " << what << ": " << revision.error().message() << "\n";
    return revision.has_value();
  };
  if (!write("put db.url", kv->put("db.url", "postgres://db1.internal:5432/app")) ||
      !write("put db.pool_size", kv->put("db.pool_size", "10")) ||
      !write("put feature.dark_mode", kv->put("feature.dark_mode", "on")) ||
      !write("put db.url", kv->put("db.url", "postgres://db2.internal:5432/app"))) {
    return 1;
  }
  auto pool_size = kv->get("db.pool_size");
  if (!pool_size) return fail("get db.pool_size: " + pool_size.error().message());
  // update() succeeds only if nobody changed the key since it was read: a safe read-modify-write.
  if (!write("update db.pool_size", kv->update("db.pool_size", "20", pool_size->revision))) return 1;
  if (auto error = kv->erase("feature.dark_mode"))
    return fail("delete feature.dark_mode: " + error.message());

  constexpr int kChanges = 6;
  if (!changes.wait_count(kChanges, 10s)) return fail("the watcher did not see all six changes in time");

  auto current = kv->get("db.url");
  if (!current) return fail("get db.url: " + current.error().message());
  changes.print("current db.url: ", current->value, " (revision ", current->revision, ")");
  auto first = kv->get("db.url", 1);
  if (!first) return fail("get db.url at revision 1: " + first.error().message());
  changes.print("db.url at revision 1: ", first->value);
  auto deleted = kv->get("feature.dark_mode");
  if (deleted) return fail("feature.dark_mode is still there");
  if (deleted.error() != js::Errc::kKeyNotFound)
    return fail("get feature.dark_mode: " + deleted.error().message());
  changes.print("feature.dark_mode: not found (deleted)");

  auto history = kv->history("db.url");
  if (!history) return fail("history of db.url: " + history.error().message());
  changes.print("history of db.url:");
  for (const js::KeyValueEntry& entry : *history) {
    changes.print("  revision ", entry.revision, ": ", entry.value);
  }
  return 0;
}
