// Key-value buckets with tern::client::jetstream against ternd and nats-server.
#include <mutex>

#include "tests/client/jetstream_test_support.h"

using namespace std::chrono_literals;
namespace js = tern::client::jetstream;
using tern::client_test::bucket_config;
using tern::client_test::connect_to;
using tern::client_test::JetStreamServer;
using tern::client_test::wait_until;

TERN_CLIENT_TEST(jetstream_kv_values, "[client][jetstream][kv]") {
  JetStreamServer server(kind);
  auto client = connect_to(server.port());
  js::JetStream jets(client);
  CHECK(js::key_value(jets, "cfg").error() == js::Errc::kBucketNotFound);
  CHECK(js::create_key_value(jets, bucket_config("bad.name")).error() == js::Errc::kInvalidName);
  auto kv = js::create_key_value(jets, bucket_config("cfg", 3));
  REQUIRE(kv);
  auto status = kv->status();
  REQUIRE(status);
  CHECK(status->config.name == "KV_cfg");
  CHECK(status->config.subjects == std::vector<std::string>{"$KV.cfg.>"});
  CHECK(status->config.max_msgs_per_subject == 3);
  CHECK(status->config.allow_rollup);
  CHECK(status->config.deny_delete);
  CHECK(status->config.allow_direct);
  CHECK(status->config.discard == js::DiscardPolicy::kNew);

  CHECK(kv->put("db.url", "postgres://a").value() == 1);
  CHECK(kv->put("db.pool", "10").value() == 2);
  CHECK(kv->put("db.url", "postgres://b").value() == 3);
  auto url = kv->get("db.url");
  REQUIRE(url);
  CHECK(url->value == "postgres://b");
  CHECK(url->revision == 3);
  CHECK(url->key == "db.url");
  CHECK(url->bucket == "cfg");
  CHECK(url->op == js::KeyValueOp::kPut);
  auto old = kv->get("db.url", 1);
  REQUIRE(old);
  CHECK(old->value == "postgres://a");
  CHECK(kv->get("db.url", 2).error() == js::Errc::kKeyNotFound);  // Revision 2 is another key's.
  CHECK(kv->get("missing").error() == js::Errc::kKeyNotFound);
  CHECK(kv->get(".bad").error() == js::Errc::kInvalidKey);
  CHECK(kv->put("bad key", "x").error() == js::Errc::kInvalidKey);

  CHECK(kv->create("db.url", "x").error() == js::Errc::kKeyExists);
  CHECK(kv->create("db.user", "admin").value() == 4);
  CHECK(kv->update("db.user", "root", 3).error() == js::Errc::kKeyExists);
  CHECK(kv->update("db.user", "root", 4).value() == 5);

  CHECK_FALSE(kv->erase("db.user"));
  CHECK(kv->get("db.user").error() == js::Errc::kKeyNotFound);
  CHECK(kv->create("db.user", "again").value() == 7);  // A deleted key may be created again.
  CHECK_FALSE(kv->purge("db.pool"));
  CHECK(kv->get("db.pool").error() == js::Errc::kKeyNotFound);

  auto keys = kv->keys();
  REQUIRE(keys);
  CHECK(*keys == std::vector<std::string>{"db.url", "db.user"});
  auto history = kv->history("db.user");
  REQUIRE(history);
  REQUIRE(history->size() == 3);
  CHECK((*history)[0].value == "root");
  CHECK((*history)[0].revision == 5);
  CHECK((*history)[1].op == js::KeyValueOp::kDelete);
  CHECK((*history)[1].revision == 6);
  CHECK((*history)[2].value == "again");
  auto pool = kv->history("db.pool");
  REQUIRE(pool);
  REQUIRE(pool->size() == 1);
  CHECK(pool->front().op == js::KeyValueOp::kPurge);
  CHECK(kv->history("never").error() == js::Errc::kKeyNotFound);

  auto bound = js::key_value(jets, "cfg");
  REQUIRE(bound);
  CHECK(bound->get("db.user")->value == "again");
  CHECK_FALSE(js::delete_key_value(jets, "cfg"));
  CHECK(js::delete_key_value(jets, "cfg") == js::Errc::kBucketNotFound);
}

TERN_CLIENT_TEST(jetstream_kv_watch, "[client][jetstream][kv]") {
  JetStreamServer server(kind);
  auto client = connect_to(server.port());
  js::JetStream jets(client);
  auto kv = js::create_key_value(jets, bucket_config("live", 5));
  REQUIRE(kv);
  REQUIRE(kv->put("a", "1"));
  REQUIRE(kv->put("b", "1"));
  REQUIRE(kv->put("a", "2"));

  std::mutex mu;
  std::vector<std::string> seen;  // "key=value@revision", "DEL key", or "END" for the initial marker.
  auto record = [&](js::WatchUpdate update) {
    std::lock_guard lock(mu);
    if (!update.entry) {
      seen.push_back("END");
    } else if (update.entry->op != js::KeyValueOp::kPut) {
      seen.push_back("DEL " + update.entry->key);
    } else {
      seen.push_back(update.entry->key + "=" + update.entry->value + "@" +
                     std::to_string(update.entry->revision));
    }
  };
  auto count = [&] {
    std::lock_guard lock(mu);
    return seen.size();
  };
  auto watcher = kv->watch(">", record);
  REQUIRE(watcher);
  REQUIRE(wait_until([&] { return count() == 3; }));
  REQUIRE(kv->put("b", "2"));
  REQUIRE_FALSE(kv->erase("a"));
  REQUIRE(wait_until([&] { return count() == 5; }));
  {
    std::lock_guard lock(mu);
    CHECK(seen == std::vector<std::string>{"b=1@2", "a=2@3", "END", "b=2@4", "DEL a"});
  }

  // An empty selection ends its initial values at once; a stopped watcher hears nothing more.
  std::vector<std::string> empty_seen;
  std::mutex empty_mu;
  auto empty = kv->watch("nothing.*", [&](js::WatchUpdate update) {
    std::lock_guard lock(empty_mu);
    empty_seen.push_back(update.entry ? update.entry->key : "END");
  });
  REQUIRE(empty);
  REQUIRE(wait_until([&] {
    std::lock_guard lock(empty_mu);
    return !empty_seen.empty();
  }));
  REQUIRE(kv->put("nothing.x", "1"));
  REQUIRE(wait_until([&] {
    std::lock_guard lock(empty_mu);
    return empty_seen.size() == 2;
  }));
  {
    std::lock_guard lock(empty_mu);
    CHECK(empty_seen == std::vector<std::string>{"END", "nothing.x"});
  }
  REQUIRE(wait_until([&] { return count() == 6; }));  // The first watcher saw nothing.x too.
  *watcher = js::KeyValueWatcher();
  REQUIRE(kv->put("c", "1"));
  REQUIRE_FALSE(client.flush());
  REQUIRE(wait_until([&] {
    std::lock_guard lock(empty_mu);
    return empty_seen.size() == 2;
  }));
  std::lock_guard lock(mu);
  CHECK(seen.size() == 6);
}
