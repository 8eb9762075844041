// tern::client::jetstream stream and consumer management against ternd and nats-server: every call,
// its answer's exact fields, and the server's errors as error codes.
#include "tests/client/jetstream_test_support.h"

using namespace std::chrono_literals;
namespace js = tern::client::jetstream;
using tern::client_test::connect_to;
using tern::client_test::JetStreamServer;
using tern::client_test::stream_config;

TERN_CLIENT_TEST(jetstream_stream_management, "[client][jetstream]") {
  JetStreamServer server(kind);
  auto client = connect_to(server.port());
  js::JetStream jets(client);

  js::StreamConfig config = stream_config("ORDERS", {"orders.>"});
  config.description = "all orders";
  config.max_msgs_per_subject = 10;
  auto created = jets.add_stream(config);
  REQUIRE(created);
  CHECK(created->config.name == "ORDERS");
  CHECK(created->config.description == "all orders");
  CHECK(created->config.subjects == std::vector<std::string>{"orders.>"});
  CHECK(created->config.max_msgs_per_subject == 10);
  CHECK(created->config.max_msgs == -1);
  CHECK(created->config.duplicate_window == std::chrono::minutes(2));
  CHECK(created->state.messages == 0);
  CHECK(created->state.first_seq == 0);
  CHECK(created->created.time_since_epoch().count() > 0);

  // The same configuration again is idempotent; a different one under the name is refused.
  CHECK(jets.add_stream(config));
  js::StreamConfig other = config;
  other.subjects = {"other.>"};
  auto refused = jets.add_stream(other);
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == js::ApiErrc::kStreamNameInUse);
  CHECK(js::last_api_error() == "stream name already in use with a different configuration");

  config.description = "every order";
  auto updated = jets.update_stream(config);
  REQUIRE(updated);
  CHECK(updated->config.description == "every order");

  for (int i = 1; i <= 3; ++i) {
    auto ack = jets.publish("orders." + std::to_string(i), "order " + std::to_string(i));
    REQUIRE(ack);
    CHECK(ack->stream == "ORDERS");
    CHECK(ack->sequence == static_cast<std::uint64_t>(i));
  }
  auto info = jets.stream_info("ORDERS");
  REQUIRE(info);
  CHECK(info->state.messages == 3);
  CHECK(info->state.first_seq == 1);
  CHECK(info->state.last_seq == 3);
  CHECK(info->state.bytes > 0);

  auto second = jets.get_message("ORDERS", 2);
  REQUIRE(second);
  CHECK(second->subject == "orders.2");
  CHECK(second->sequence == 2);
  CHECK(second->data == "order 2");
  auto last = jets.get_last_message("ORDERS", "orders.3");
  REQUIRE(last);
  CHECK(last->sequence == 3);
  auto missing = jets.get_message("ORDERS", 99);
  REQUIRE_FALSE(missing);
  CHECK(missing.error() == js::ApiErrc::kMessageNotFound);

  CHECK_FALSE(jets.delete_message("ORDERS", 2));
  CHECK(jets.stream_info("ORDERS")->state.messages == 2);
  js::PurgeOptions purge_subject;
  purge_subject.subject = "orders.1";
  auto purged = jets.purge_stream("ORDERS", purge_subject);
  REQUIRE(purged);
  CHECK(*purged == 1);
  purged = jets.purge_stream("ORDERS");
  REQUIRE(purged);
  CHECK(*purged == 1);

  REQUIRE(jets.add_stream(stream_config("AUDIT", {"audit.*"})));
  auto names = jets.stream_names();
  REQUIRE(names);
  std::sort(names->begin(), names->end());
  CHECK(*names == std::vector<std::string>{"AUDIT", "ORDERS"});
  auto filtered = jets.stream_names("audit.x");
  REQUIRE(filtered);
  CHECK(*filtered == std::vector<std::string>{"AUDIT"});
  auto all = jets.streams();
  REQUIRE(all);
  CHECK(all->size() == 2);

  auto account = jets.account_info();
  REQUIRE(account);
  CHECK(account->streams == 2);

  CHECK_FALSE(jets.delete_stream("AUDIT"));
  const std::error_code gone = jets.delete_stream("AUDIT");
  CHECK(gone == js::ApiErrc::kStreamNotFound);
  CHECK(gone.message() == "stream not found");
  CHECK(jets.stream_info("NOPE").error() == js::ApiErrc::kStreamNotFound);
  CHECK(jets.stream_info("bad.name").error() == js::Errc::kInvalidName);
}

TERN_CLIENT_TEST(jetstream_consumer_management, "[client][jetstream]") {
  JetStreamServer server(kind);
  auto client = connect_to(server.port());
  js::JetStream jets(client);
  REQUIRE(jets.add_stream(stream_config("TASKS", {"tasks.>"})));
  for (int i = 0; i < 5; ++i)
    REQUIRE(jets.publish("tasks.t", "x"));

  js::ConsumerConfig config;
  config.durable_name = "worker";
  config.ack_wait = 30s;
  config.max_deliver = 3;
  config.filter_subject = "tasks.>";
  auto created = jets.add_consumer("TASKS", config);
  REQUIRE(created);
  CHECK(created->stream_name == "TASKS");
  CHECK(created->name == "worker");
  CHECK(created->config.durable_name == "worker");
  CHECK(created->config.ack_policy == js::AckPolicy::kExplicit);
  CHECK(created->config.ack_wait == 30s);
  CHECK(created->config.max_deliver == 3);
  CHECK(created->config.max_ack_pending == 1000);
  CHECK(created->config.max_waiting == 512);
  CHECK(created->num_pending == 5);
  CHECK(created->delivered.stream_seq == 0);

  // The same configuration is idempotent; max_deliver may change, the filter may too.
  CHECK(jets.add_consumer("TASKS", config));
  config.max_deliver = 5;
  auto updated = jets.update_consumer("TASKS", config);
  REQUIRE(updated);
  CHECK(updated->config.max_deliver == 5);

  js::ConsumerConfig ephemeral;
  auto eph = jets.add_consumer("TASKS", ephemeral);
  REQUIRE(eph);
  CHECK(eph->name.size() == 8);
  CHECK(eph->config.durable_name.empty());

  auto names = jets.consumer_names("TASKS");
  REQUIRE(names);
  std::sort(names->begin(), names->end());
  CHECK(names->size() == 2);
  CHECK(std::find(names->begin(), names->end(), "worker") != names->end());
  auto list = jets.consumers("TASKS");
  REQUIRE(list);
  CHECK(list->size() == 2);
  CHECK(jets.stream_info("TASKS")->state.consumer_count == 2);

  auto info = jets.consumer_info("TASKS", "worker");
  REQUIRE(info);
  CHECK(info->num_pending == 5);
  CHECK_FALSE(jets.delete_consumer("TASKS", "worker"));
  CHECK(jets.consumer_info("TASKS", "worker").error() == js::ApiErrc::kConsumerNotFound);
  CHECK(jets.delete_consumer("TASKS", "worker") == js::ApiErrc::kConsumerNotFound);
  CHECK(jets.add_consumer("NOPE", config).error() == js::ApiErrc::kStreamNotFound);
}

TERN_CLIENT_TEST(jetstream_without_jetstream_fails_clearly, "[client][jetstream]") {
  auto server = tern::client_test::start_server(kind);
  auto client = connect_to(server.port());
  js::JetStream jets(client);
  CHECK(jets.stream_info("ANY").error() == js::Errc::kNotEnabled);
  CHECK(jets.publish("any.subject", "x").error() == js::Errc::kNoStreamResponse);
}
