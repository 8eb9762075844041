// The consumer API's JSON layer and create checks: nats-server 2.9.10's captured exchanges
// (tests/data/jetstream/consumers.txt) replayed through them, with the service's part (which streams and
// consumers exist, the consumers' delivery state) played by maps and the captured figures, and the corners
// the captures do not cover.
#include <simdjson.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <map>

#include "server/jetstream/api_json.h"
#include "server/jetstream/consumer_json.h"
#include "server/jetstream/consumer_meta.h"
#include "server/jetstream/go_json.h"
#include "server/jetstream/stream_config_check.h"
#include "tests/unit/jetstream_golden.h"

namespace {

using namespace tern::server::jetstream;
using tern::test::jetstream::Exchange;
using tern::test::jetstream::load_golden;
using tern::test::jetstream::load_golden_in_order;
using tern::test::jetstream::mask_times;

constexpr std::int64_t kSomeTime = 1'796'456'735'196'964'416;
constexpr std::string_view kApi = "$JS.API.";

struct StoredConsumer {
  ConsumerConfig config;
};

struct Account {
  std::map<std::string, StreamConfig> streams;
  std::map<std::string, std::map<std::string, StoredConsumer>> consumers;  // By stream, then by name.
};

// A member the reply omits (last_active, push_bound) leaves `out` as it was.
template <typename T>
void read(simdjson::dom::element object, const char* key, T& out) {
  if (object[key].get(out) != simdjson::SUCCESS) return;
}

// The delivery figures of a ConsumerInfo as the captured reply shows them: they are the consumer's to
// compute, so the test takes them as inputs. Times only need to be zero or not, since they are masked.
ConsumerInfoView figures_of(simdjson::dom::element info) {
  ConsumerInfoView view;
  auto pair = [&](const char* key) {
    SequencePair out;
    simdjson::dom::element member;
    if (info[key].get(member) != simdjson::SUCCESS) return out;
    read(member, "consumer_seq", out.consumer_seq);
    read(member, "stream_seq", out.stream_seq);
    if (member["last_active"].error() == simdjson::SUCCESS) out.last_active_ns = kSomeTime;
    return out;
  };
  view.created_ns = kSomeTime;
  view.delivered = pair("delivered");
  view.ack_floor = pair("ack_floor");
  read(info, "num_ack_pending", view.num_ack_pending);
  read(info, "num_redelivered", view.num_redelivered);
  read(info, "num_waiting", view.num_waiting);
  read(info, "num_pending", view.num_pending);
  read(info, "push_bound", view.push_bound);
  return view;
}

simdjson::dom::element parse_reply(simdjson::dom::parser& parser, const std::string& reply) {
  simdjson::dom::element root;
  REQUIRE(parser.parse(reply).get(root) == simdjson::SUCCESS);
  return root;
}

// What the service does for CONSUMER.CREATE and DURABLE.CREATE. The capture's client listens on
// _INBOX.>, so only deliver subjects there have interest. A name the server makes up is taken from the
// captured reply, since it is random.
std::string create(Account& account, const Exchange& exchange) {
  const auto target = parse_consumer_create_subject(exchange.subject);
  if (!target) return "(no reply)";
  auto fail = [](const ApiError& error) { return error_response(kConsumerCreateResponseType, error); };
  std::string request_stream;
  ConsumerConfig config;
  if (auto error = parse_create_consumer_request(exchange.body, request_stream, config)) return fail(*error);
  if (auto error = check_consumer_create_request(*target, request_stream, config)) return fail(*error);
  const auto stream = account.streams.find(std::string(target->stream));
  if (stream == account.streams.end()) return fail(api_errors::stream_not_found());
  if (auto error = prepare_consumer_config(config, stream->second)) return fail(*error);
  auto& consumers = account.consumers[stream->first];
  std::string name = !config.durable_name.empty() ? config.durable_name : config.name;

  simdjson::dom::parser parser;
  const auto reply = parse_reply(parser, exchange.reply);
  auto respond = [&](const std::string& consumer_name, const ConsumerConfig& stored) {
    ConsumerInfoView view = figures_of(reply);
    view.stream_name = stream->first;
    view.name = consumer_name;
    view.config = &stored;
    return consumer_create_response(view);
  };
  if (auto existing = consumers.find(name); !name.empty() && existing != consumers.end()) {
    ConsumerConfig& current = existing->second.config;
    if (current == config) return respond(name, current);
    const bool interest = current.deliver_subject.starts_with("_INBOX.");
    if (auto error = check_consumer_update(current, config, interest)) return fail(*error);
    stamp_inactive_threshold(config);
    current = config;
    return respond(name, current);
  }
  std::vector<const ConsumerConfig*> others;
  for (const auto& [other_name, other] : consumers)
    others.push_back(&other.config);
  if (auto error = check_new_consumer(config, name, stream->second, others)) return fail(*error);
  stamp_inactive_threshold(config);
  if (name.empty()) {
    std::string_view made_up;
    REQUIRE(reply["name"].get(made_up) == simdjson::SUCCESS);
    name = std::string(made_up);
  }
  return respond(name, consumers[name].config = config);
}

// INFO, DELETE, NAMES and LIST, as the service answers them.
std::string other_request(Account& account, const Exchange& exchange) {
  const std::string rest = exchange.subject.substr(kApi.size() + std::string_view("CONSUMER.").size());
  const auto dot = rest.find('.');
  const std::string verb = rest.substr(0, dot);
  const std::string args = dot == std::string::npos ? "" : rest.substr(dot + 1);
  simdjson::dom::parser parser;
  if (verb == "NAMES" || verb == "LIST") {
    const bool names = verb == "NAMES";
    auto fail = [&](const ApiError& error) {
      return names ? consumer_names_error(error) : consumer_list_error(error);
    };
    std::int64_t offset = 0;
    if (auto error = parse_consumer_names_request(exchange.body, offset)) return fail(*error);
    if (!account.streams.contains(args)) return fail(api_errors::stream_not_found());
    const auto& consumers = account.consumers[args];
    const auto total = static_cast<std::int64_t>(consumers.size());
    offset = std::clamp<std::int64_t>(offset, 0, total);
    std::vector<std::string> page;
    std::vector<ConsumerInfoView> infos;
    simdjson::dom::array captured;
    if (!names) REQUIRE(parse_reply(parser, exchange.reply)["consumers"].get(captured) == simdjson::SUCCESS);
    std::int64_t index = 0;
    for (const auto& [name, consumer] : consumers) {
      if (index++ < offset) continue;
      page.push_back(name);
      if (!names) {
        simdjson::dom::element captured_info;
        REQUIRE(captured.at(infos.size()).get(captured_info) == simdjson::SUCCESS);
        ConsumerInfoView view = figures_of(captured_info);
        view.stream_name = args;
        view.name = name;
        view.config = &consumer.config;
        infos.push_back(view);
      }
    }
    return names ? consumer_names_response(total, offset, page)
                 : consumer_list_response(total, offset, infos);
  }
  const auto type = verb == "INFO" ? kConsumerInfoResponseType : kConsumerDeleteResponseType;
  const auto second_dot = args.find('.');
  if (second_dot == std::string::npos) return "(no reply)";
  const std::string stream = args.substr(0, second_dot);
  const std::string name = args.substr(second_dot + 1);
  if (!go_json::is_empty_request(exchange.body)) return error_response(type, api_errors::not_empty_request());
  if (!account.streams.contains(stream)) return error_response(type, api_errors::stream_not_found());
  auto& consumers = account.consumers[stream];
  const auto consumer = consumers.find(name);
  if (consumer == consumers.end()) return error_response(type, api_errors::consumer_not_found());
  if (verb == "DELETE") {
    consumers.erase(consumer);
    return consumer_delete_response();
  }
  ConsumerInfoView view = figures_of(parse_reply(parser, exchange.reply));
  view.stream_name = stream;
  view.name = name;
  view.config = &consumer->second.config;
  return consumer_info_response(view);
}

// Replaces the names the server made up for ephemeral consumers, as capture.py --check does.
std::string mask(std::string text, const std::vector<std::string>& ephemerals) {
  for (const auto& name : ephemerals) {
    for (std::size_t at = text.find(name); at != std::string::npos; at = text.find(name, at))
      text.replace(at, name.size(), "<ephemeral>");
  }
  return mask_times(text);
}

ConsumerConfig parsed(std::string_view config_json) {
  std::string stream;
  ConsumerConfig config;
  const std::string body = R"({"stream_name":"S","config":)" + std::string(config_json) + "}";
  REQUIRE_FALSE(parse_create_consumer_request(body, stream, config));
  return config;
}

StreamConfig stream_named(std::string_view name, std::string_view subjects_json) {
  StreamConfig config;
  REQUIRE_FALSE(parse_stream_config(
      R"({"name":")" + std::string(name) + R"(","subjects":)" + std::string(subjects_json) + "}", config));
  REQUIRE_FALSE(prepare_stream_create(name, config));
  return config;
}

}  // namespace

TEST_CASE("every captured consumer API reply is reproduced byte for byte") {
  const auto exchanges = load_golden_in_order("consumers");
  REQUIRE(exchanges.size() >= 150);
  Account account;
  std::vector<std::string> ephemerals;
  int replayed = 0;
  for (const auto& [name, exchange] : exchanges) {
    INFO(name << ": " << exchange.subject << " " << exchange.body);
    std::string produced;
    if (exchange.subject.starts_with("$JS.API.STREAM.CREATE.")) {
      StreamConfig config;
      REQUIRE_FALSE(parse_stream_config(exchange.body, config));
      REQUIRE_FALSE(prepare_stream_create(config.name, config));
      account.streams[config.name] = config;
      continue;
    }
    if (parse_consumer_create_subject(exchange.subject) ||
        exchange.subject.starts_with("$JS.API.CONSUMER.CREATE") ||
        exchange.subject.starts_with("$JS.API.CONSUMER.DURABLE.")) {
      produced = create(account, exchange);
      if (exchange.subject.size() > 24 && exchange.subject.find('.', 24) == std::string::npos &&
          produced.find("\"error\"") == std::string::npos) {
        simdjson::dom::parser parser;
        std::string_view made_up;
        if (parse_reply(parser, exchange.reply)["name"].get(made_up) == simdjson::SUCCESS &&
            made_up.size() == 8)
          ephemerals.emplace_back(made_up);
      }
    } else if (exchange.subject.starts_with("$JS.API.CONSUMER.")) {
      produced = other_request(account, exchange);
    } else {
      continue;  // Publishes, stream and account info: the stream layer's, tested elsewhere.
    }
    ++replayed;
    CHECK(mask(produced, ephemerals) == mask(exchange.reply, ephemerals));
  }
  CHECK(replayed >= 150);
}

TEST_CASE("create subjects: the three forms, and what nats-server has no subscription for") {
  auto form = parse_consumer_create_subject("$JS.API.CONSUMER.CREATE.S.n.a.b.>");
  REQUIRE(form);
  CHECK((form->stream == "S" && form->name == "n" && form->filter == "a.b.>" && !form->legacy_durable));
  form = parse_consumer_create_subject("$JS.API.CONSUMER.CREATE.S");
  REQUIRE(form);
  CHECK((form->stream == "S" && form->name.empty() && form->filter.empty()));
  form = parse_consumer_create_subject("$JS.API.CONSUMER.DURABLE.CREATE.S.d");
  REQUIRE(form);
  CHECK((form->stream == "S" && form->name == "d" && form->legacy_durable));
  for (const char* subject :
       {"$JS.API.CONSUMER.CREATE", "$JS.API.CONSUMER.DURABLE.CREATE.S",
        "$JS.API.CONSUMER.DURABLE.CREATE.S.d.x", "$JS.API.CONSUMER.CREATE.S..x", "$JS.API.CONSUMER.CREATE..x",
        "$JS.API.CONSUMER.INFO.S.x", "$JS.API.CONSUMER.CREATE.S."})
    CHECK_FALSE(parse_consumer_create_subject(subject));
}

TEST_CASE("Go's decoding of a create request") {
  auto config =
      parsed(R"({"Durable_Name":"d","deliver_policy":"undefined","backoff":[1,null,3],"ack_wait":null})");
  CHECK(config.durable_name == "d");
  CHECK(config.deliver_policy == DeliverPolicy::kAll);
  CHECK(config.backoff_ns == std::vector<std::int64_t>{1, 0, 3});
  std::string stream;
  for (const char* body :
       {"", "[]", R"({"config":[]})", R"({"stream_name":1})", R"({"config":{"replay_policy":null}})",
        R"({"config":{"opt_start_time":"2020-01-01T00:00:00"}})",
        R"({"config":{"opt_start_time":"2020-02-30T00:00:00Z"}})", R"({"config":{"opt_start_time":5}})",
        R"({"config":{"max_deliver":1.0}})", R"({"config":{"backoff":"1s"}})",
        R"({"config":{"rate_limit_bps":-1}})", R"({"config":{"deliver_policy":"ALL"}})"}) {
    INFO(body);
    const auto error = parse_create_consumer_request(body, stream, config);
    REQUIRE(error);
    CHECK(error->err_code == 10025);
  }
  REQUIRE_FALSE(parse_create_consumer_request(R"({"stream_name":"S","config":null})", stream, config));
  CHECK((stream == "S" && config == ConsumerConfig{}));
}

TEST_CASE("opt_start_time keeps its zone and its nanoseconds") {
  auto config =
      parsed(R"({"deliver_policy":"by_start_time","opt_start_time":"2020-01-02T03:04:05.1234567891-07:30"})");
  REQUIRE(config.opt_start_time);
  CHECK(*config.opt_start_time % 1'000'000'000 == 123'456'789);
  CHECK(config.opt_start_time_offset_s == -(7 * 3600 + 30 * 60));
  tern::server::monitor::JsonWriter json(tern::server::monitor::JsonWriter::Style::kCompact);
  write_consumer_config(json, config);
  CHECK(json.take().find(R"("opt_start_time":"2020-01-02T03:04:05.123456789-07:30")") != std::string::npos);
  CHECK(*parsed(R"({"opt_start_time":"1970-01-01T00:00:01Z"})").opt_start_time == 1'000'000'000);
}

TEST_CASE("a durable consumer's meta.json gives back exactly the configuration it was written from") {
  auto config = parsed(
      R"({"durable_name":"d","description":"x <y>","deliver_policy":"by_start_time","opt_start_time":"2021-06-07T08:09:10.5+02:00",
          "ack_policy":"all","max_deliver":4,"backoff":[1000000000,2000000000],"filter_subject":"a.>","replay_policy":"original",
          "rate_limit_bps":9,"sample_freq":"20%","max_ack_pending":3,"idle_heartbeat":1000000000,"flow_control":true,
          "headers_only":true,"deliver_subject":"out","deliver_group":"g","inactive_threshold":7,"num_replicas":1,
          "mem_storage":true})");
  REQUIRE_FALSE(prepare_consumer_config(config, stream_named("S", R"(["a.>"])")));
  const std::string text = encode_consumer_meta(config, kSomeTime);
  CHECK(text.starts_with("{\"created_ns\":1796456735196964416,\"durable_name\":\"d\""));
  ConsumerConfig decoded;
  std::int64_t created = 0;
  REQUIRE_FALSE(decode_consumer_meta(text, decoded, created));
  CHECK(decoded == config);
  CHECK(created == kSomeTime);
  CHECK(decode_consumer_meta("{\"durable_name\":\"d\"}", decoded, created));
  CHECK(decode_consumer_meta("nope", decoded, created));
}

TEST_CASE("updates: what may change, and nats-server's order of refusals") {
  const StreamConfig stream = stream_named("S", R"(["s.>"])");
  auto prepared = [&](std::string_view json) {
    auto config = parsed(json);
    REQUIRE_FALSE(prepare_consumer_config(config, stream));
    return config;
  };
  const auto base = prepared(R"({"durable_name":"d","ack_policy":"explicit"})");
  CHECK_FALSE(check_consumer_update(base, base));
  CHECK_FALSE(check_consumer_update(
      base, prepared(R"({"durable_name":"d","ack_policy":"explicit","filter_subject":"s.a","max_deliver":3,
                        "backoff":[1,2],"description":"x","mem_storage":true,"num_replicas":1,"headers_only":true})")));
  // Deliver policy is checked before ack policy.
  auto error = check_consumer_update(
      base, prepared(R"({"durable_name":"d","ack_policy":"all","deliver_policy":"new"})"));
  REQUIRE(error);
  CHECK((error->err_code == 10012 && error->description == "deliver policy can not be updated"));
  // A push consumer may move to another deliver subject only while nobody listens on the old one.
  const auto push = prepared(R"({"durable_name":"d","ack_policy":"explicit","deliver_subject":"a"})");
  const auto moved = prepared(R"({"durable_name":"d","ack_policy":"explicit","deliver_subject":"b"})");
  CHECK_FALSE(check_consumer_update(push, moved, false));
  error = check_consumer_update(push, moved, true);
  REQUIRE(error);
  CHECK(error->err_code == 10013);
  error = check_consumer_update(push,
                                prepared(R"({"durable_name":"d","ack_policy":"explicit","max_waiting":0})"));
  REQUIRE(error);
  CHECK(error->description == "max waiting can not be updated");
  // Equal start times are still two pointers to nats-server.
  const auto timed = prepared(
      R"({"durable_name":"d","deliver_policy":"by_start_time","opt_start_time":"2020-01-01T00:00:00Z"})");
  auto retimed = timed;
  retimed.description = "x";
  error = check_consumer_update(timed, retimed);
  REQUIRE(error);
  CHECK(error->description == "start time can not be updated");
}

TEST_CASE("defaults, and the inactive threshold of non-durables") {
  const StreamConfig stream = stream_named("S", R"(["s.>"])");
  auto push = parsed(R"({"deliver_subject":"out","ack_policy":"none"})");
  REQUIRE_FALSE(prepare_consumer_config(push, stream));
  CHECK((push.max_waiting == 0 && push.ack_wait_ns == 0 && push.max_ack_pending == 0 &&
         push.max_deliver == -1));
  stamp_inactive_threshold(push);
  CHECK(push.inactive_threshold_ns == kDefaultInactiveThresholdNs);
  auto durable = parsed(R"({"durable_name":"d","ack_policy":"explicit","backoff":[7,8],"max_deliver":3})");
  REQUIRE_FALSE(prepare_consumer_config(durable, stream));
  CHECK((durable.max_waiting == 512 && durable.ack_wait_ns == 7 && durable.max_ack_pending == 1000));
  stamp_inactive_threshold(durable);
  CHECK(durable.inactive_threshold_ns == 0);
  // A filter outside the stream is not checked again when a stored consumer is recovered.
  auto filtered = parsed(R"({"durable_name":"d","filter_subject":"elsewhere"})");
  CHECK(prepare_consumer_config(filtered, stream));
  CHECK_FALSE(prepare_consumer_config(filtered, stream, true));
}

TEST_CASE("ephemeral names are 8 characters of nats-server's base 62") {
  const std::string a = make_ephemeral_name();
  const std::string b = make_ephemeral_name();
  CHECK(a.size() == 8);
  CHECK(a != b);
  for (const char c : a + b)
    CHECK(std::isalnum(static_cast<unsigned char>(c)));
  CHECK(is_valid_consumer_name(a));
  CHECK_FALSE(is_valid_consumer_name("a\tb"));
  CHECK(is_valid_consumer_name("a/b"));
}
