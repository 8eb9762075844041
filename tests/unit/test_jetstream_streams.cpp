// Replays nats-server 2.9.10's captured stream API exchanges (tests/data/jetstream/) through the JSON
// layer, with the caller's part (which streams exist) played by a map, and compares replies byte for
// byte with times masked.
#include <simdjson.h>
#include <catch2/catch.hpp>
#include <map>

#include "server/jetstream/api_json.h"
#include "server/jetstream/api_requests.h"
#include "server/jetstream/stream_config_check.h"
#include "server/jetstream/subjects.h"
#include "tests/unit/jetstream_golden.h"

namespace {

using namespace tern::server::jetstream;
using tern::server::stream::StoreState;
using tern::test::jetstream::load_golden;
using tern::test::jetstream::load_golden_in_order;
using tern::test::jetstream::mask_times;

constexpr std::int64_t kSomeTime = 1'796'456'735'196'964'416;

std::string last_token(const std::string& subject, std::string_view prefix) {
  return subject.substr(prefix.size());
}

// The store's figures, as the captured reply shows them: they are the store's to compute, so the test
// takes them as inputs. Times only need to be zero or not, since they are masked.
StoreState state_of(simdjson::dom::element state) {
  StoreState out;
  auto number = [&](const char* key) {
    std::uint64_t value = 0;
    // A member the reply omits (num_subjects, num_deleted) is zero.
    if (state[key].get(value) != simdjson::SUCCESS) return std::uint64_t{0};
    return value;
  };
  auto time = [&](const char* key) {
    std::string_view text;
    if (state[key].get(text) != simdjson::SUCCESS) return std::int64_t{0};
    return text == "0001-01-01T00:00:00Z" ? std::int64_t{0} : kSomeTime;
  };
  out.msgs = number("messages");
  out.bytes = number("bytes");
  out.first_seq = number("first_seq");
  out.last_seq = number("last_seq");
  out.num_subjects = number("num_subjects");
  out.num_deleted = number("num_deleted");
  out.first_ts_ns = time("first_ts");
  out.last_ts_ns = time("last_ts");
  return out;
}

StoreState state_in_reply(const std::string& reply) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  REQUIRE(parser.parse(reply).get(root) == simdjson::SUCCESS);
  simdjson::dom::element state;
  if (root["state"].get(state) == simdjson::SUCCESS) return state_of(state);
  simdjson::dom::array streams;
  REQUIRE(root["streams"].get(streams) == simdjson::SUCCESS);
  REQUIRE(streams.at(0)["state"].get(state) == simdjson::SUCCESS);
  return state_of(state);
}

// What the lead's service does for STREAM.CREATE, with `streams` as the account's streams.
std::string create(std::map<std::string, StreamConfig>& streams, const std::string& name_in_subject,
                   const std::string& body) {
  StreamConfig config;
  auto fail = [](const ApiError& error) { return error_response(kStreamCreateResponseType, error); };
  if (auto error = parse_stream_config(body, config)) return fail(*error);
  if (auto error = prepare_stream_create(name_in_subject, config)) return fail(*error);
  if (auto existing = streams.find(config.name); existing != streams.end()) {
    if (!(existing->second == config)) return fail(api_errors::stream_name_exist());
    return stream_create_response({&existing->second, kSomeTime, {}, 0});
  }
  if (auto error = check_stream_create_supported(config)) return fail(*error);
  for (const auto& [other_name, other] : streams) {
    if (subjects_overlap(config.subjects, other.subjects)) return fail(api_errors::subject_overlap());
  }
  const auto& stored = streams[config.name] = config;
  return stream_create_response({&stored, kSomeTime, {}, 0});
}

// What the lead's service does for STREAM.UPDATE; `state` is the store's.
std::string update(std::map<std::string, StreamConfig>& streams, const std::string& name_in_subject,
                   const std::string& body, const std::string& golden_reply) {
  StreamConfig config;
  auto fail = [](const ApiError& error) { return error_response(kStreamUpdateResponseType, error); };
  if (auto error = parse_stream_config(body, config)) return fail(*error);
  if (auto error = prepare_stream_update(name_in_subject, config)) return fail(*error);
  const auto current = streams.find(name_in_subject);
  if (current == streams.end()) return fail(api_errors::stream_not_found());
  if (auto error = check_stream_update(current->second, config)) return fail(*error);
  for (const auto& [other_name, other] : streams) {
    if (other_name != config.name && subjects_overlap(config.subjects, other.subjects)) {
      return fail(api_errors::subject_overlap());
    }
  }
  current->second = config;
  return stream_update_response({&current->second, kSomeTime, state_in_reply(golden_reply), 0});
}

std::map<std::string, StreamConfig> created_streams() {
  std::map<std::string, StreamConfig> streams;
  for (const auto& [name, exchange] : load_golden_in_order("create")) {
    if (exchange.reply != "(no reply)")
      create(streams, last_token(exchange.subject, "$JS.API.STREAM.CREATE."), exchange.body);
  }
  return streams;
}

}  // namespace

TEST_CASE("every captured STREAM.CREATE reply is reproduced byte for byte") {
  const auto exchanges = load_golden_in_order("create");
  REQUIRE(exchanges.size() >= 40);
  std::map<std::string, StreamConfig> streams;
  for (const auto& [name, exchange] : exchanges) {
    INFO(name << ": " << exchange.body);
    if (exchange.reply == "(no reply)") {
      // "$JS.API.STREAM.CREATE.a.b" matches no API subscription: the service never sees it.
      CHECK(name == "create_name_with_dot");
      continue;
    }
    const auto produced =
        create(streams, last_token(exchange.subject, "$JS.API.STREAM.CREATE."), exchange.body);
    CHECK(mask_times(produced) == mask_times(exchange.reply));
  }
}

TEST_CASE("every captured STREAM.UPDATE reply is reproduced byte for byte") {
  auto streams = created_streams();
  int updates = 0;
  for (const auto& [name, exchange] : load_golden_in_order("lifecycle")) {
    if (exchange.subject.rfind("$JS.API.STREAM.UPDATE.", 0) != 0) continue;
    INFO(name << ": " << exchange.body);
    ++updates;
    const auto produced = update(streams, last_token(exchange.subject, "$JS.API.STREAM.UPDATE."),
                                 exchange.body, exchange.reply);
    CHECK(mask_times(produced) == mask_times(exchange.reply));
  }
  CHECK(updates == 12);
}

TEST_CASE("STREAM.INFO, NAMES and LIST replies match nats-server's") {
  const auto streams = created_streams();
  const auto golden = load_golden("info");
  const StreamConfig& orders = streams.at("ORDERS");

  SECTION("info without and with a subjects filter") {
    StreamInfoRequest request;
    const auto& plain = golden.at("info_orders");
    REQUIRE_FALSE(parse_stream_info_request(plain.body, request));
    CHECK(mask_times(stream_info_response({&orders, kSomeTime, state_in_reply(plain.reply), 0})) ==
          mask_times(plain.reply));

    const auto& filtered = golden.at("info_orders_subjects_filter");
    REQUIRE_FALSE(parse_stream_info_request(filtered.body, request));
    CHECK(request.subjects_filter == ">");
    SubjectDetails details{2, 0, {{"ORDERS.new", 2}, {"ORDERS.shipped", 2}}};
    CHECK(mask_times(stream_info_response({&orders, kSomeTime, state_in_reply(filtered.reply), 0},
                                          &details)) == mask_times(filtered.reply));

    // A filter that matches no subject leaves the paging at zero, as if none was asked for.
    const auto& none = golden.at("info_orders_subjects_filter_none");
    CHECK(mask_times(stream_info_response({&orders, kSomeTime, state_in_reply(none.reply), 0})) ==
          mask_times(none.reply));
  }

  SECTION("info errors") {
    CHECK(stream_info_error(api_errors::stream_not_found()) == golden.at("info_missing").reply);
    StreamInfoRequest request;
    const auto error = parse_stream_info_request(golden.at("info_bad_json").body, request);
    REQUIRE(error);
    CHECK(stream_info_error(*error) == golden.at("info_bad_json").reply);
  }

  SECTION("names") {
    StreamNamesRequest request;
    REQUIRE_FALSE(parse_stream_names_request(golden.at("names_all").body, request));
    const std::vector<std::string> all = {"AGED", "ALL", "INT", "KV_cfg", "MIN", "ORDERS", "PL", "UPPER"};
    CHECK(stream_names_response(8, 0, all) == golden.at("names_all").reply);
    REQUIRE_FALSE(parse_stream_names_request(golden.at("names_subject").body, request));
    CHECK(request.subject == "ORDERS.*");
    CHECK(stream_names_response(1, 0, {"ORDERS"}) == golden.at("names_subject").reply);
    CHECK(stream_names_response(0, 0, {}) == golden.at("names_subject_none").reply);
    REQUIRE_FALSE(parse_stream_names_request(golden.at("names_offset").body, request));
    CHECK(request.offset == 2);
    CHECK(stream_names_response(8, 2, {all.begin() + 2, all.end()}) == golden.at("names_offset").reply);
    const auto error = parse_stream_names_request(golden.at("names_bad_json").body, request);
    REQUIRE(error);
    CHECK(stream_names_error(*error) == golden.at("names_bad_json").reply);
  }

  SECTION("list") {
    const auto& listed = golden.at("list_subject");
    CHECK(mask_times(stream_list_response(1, 0, {{&orders, kSomeTime, state_in_reply(listed.reply), 0}})) ==
          mask_times(listed.reply));
    CHECK(stream_list_response(0, 0, {}) == golden.at("list_none").reply);
  }
}

TEST_CASE("account info, delete and purge replies match nats-server's") {
  const auto account = load_golden("account");
  CHECK(account_info_response({}) == account.at("account_info_fresh").reply);
  const auto lifecycle = load_golden("lifecycle");
  AccountInfo after;
  after.storage = 380;
  after.streams = 7;
  after.api_total = 89;
  after.api_errors = 56;
  CHECK(account_info_response(after) == lifecycle.at("account_info_after").reply);

  CHECK(stream_delete_response() == lifecycle.at("delete_aged").reply);
  CHECK(error_response(kStreamDeleteResponseType, api_errors::stream_not_found()) ==
        lifecycle.at("delete_missing").reply);
  CHECK(error_response(kStreamDeleteResponseType, api_errors::not_empty_request()) ==
        lifecycle.at("delete_with_body").reply);

  StreamPurgeRequest purge;
  REQUIRE_FALSE(parse_stream_purge_request(lifecycle.at("purge_filter_keep").body, purge));
  CHECK((purge.present && purge.filter == "ORDERS.new" && purge.keep == 1 && purge.seq == 0));
  CHECK(stream_purge_response(0) == lifecycle.at("purge_filter_keep").reply);
  REQUIRE_FALSE(parse_stream_purge_request(lifecycle.at("purge_seq").body, purge));
  CHECK(purge.seq == 4);
  CHECK(stream_purge_response(2) == lifecycle.at("purge_seq").reply);
  REQUIRE_FALSE(parse_stream_purge_request(lifecycle.at("purge_all").body, purge));
  CHECK_FALSE(purge.present);
  CHECK(stream_purge_response(1) == lifecycle.at("purge_all").reply);
  for (const char* name : {"purge_seq_and_keep", "purge_bad_json"}) {
    const auto error = parse_stream_purge_request(lifecycle.at(name).body, purge);
    REQUIRE(error);
    CHECK(stream_purge_error(*error) == lifecycle.at(name).reply);
  }
  CHECK(stream_purge_error(api_errors::stream_not_found()) == lifecycle.at("purge_missing").reply);
  CHECK(stream_purge_error(api_errors::stream_sealed()) == lifecycle.at("purge_sealed").reply);
  const auto& after_purge = lifecycle.at("info_orders_after_purge");
  const auto streams = created_streams();
  CHECK(mask_times(stream_info_response({&streams.at("ORDERS"), kSomeTime, state_in_reply(after_purge.reply),
                                         0})) == mask_times(after_purge.reply));
}

TEST_CASE("without JetStream, nats-server answers $JS.API requests with no responders") {
  const auto disabled = load_golden("disabled");
  // Nothing of the JSON layer answers: the core server's 503 does, as no one subscribes to $JS.API.
  CHECK(disabled.at("account_info_without_jetstream").reply == "NATS/1.0 503\r\n\r\n");
  CHECK(disabled.at("stream_create_without_jetstream").reply == "NATS/1.0 503\r\n\r\n");
}
