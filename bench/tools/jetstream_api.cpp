#include "bench/tools/jetstream_api.h"

#include <stdexcept>

#include "bench/tools/jetstream_reply.h"
#include "protocol/connect.h"
#include "protocol/frames.h"

namespace tern::bench {

namespace {

// JetStream's error number for a stream that does not exist.
constexpr int kStreamNotFound = 10059;

}  // namespace

std::string stream_create_json(const StreamConfig& config) {
  std::string json = "{\"name\":";
  protocol::append_json_string(json, config.name);
  json += ",\"subjects\":[";
  protocol::append_json_string(json, config.subject);
  json += "],\"storage\":";
  protocol::append_json_string(json, config.storage);
  json +=
      ",\"retention\":\"limits\",\"max_msgs\":-1,\"max_bytes\":-1,\"discard\":\"old\",\"num_replicas\":1}";
  return json;
}

JetStreamApi::JetStreamApi(BenchConnection& connection, std::string inbox_prefix)
    : connection_(connection), inbox_prefix_(std::move(inbox_prefix)) {}

std::string JetStreamApi::request(std::string_view subject, std::string_view body) {
  const std::string reply = inbox_prefix_ + "api" + std::to_string(++requests_);
  std::string frame(protocol::pub_line_size(subject, reply, 0, body.size(), false), '\0');
  protocol::write_pub_line(frame.data(), subject, reply, 0, body.size(), false);
  frame.append(body).append("\r\n");
  connection_.write_all(frame);

  const auto give_up = std::chrono::steady_clock::now() + kApiTimeout;
  std::optional<std::string> answer;
  bool no_responders = false;
  while (!answer && !no_responders) {
    const ReadOutcome outcome = connection_.read_ops([&](const protocol::Op& op) {
      if (op.subject != reply) return;
      // A status message in place of a reply: `NATS/1.0 503` when nothing serves `$JS.API`.
      if (op.kind == protocol::OpKind::kHmsg) {
        no_responders = true;
      } else if (op.kind == protocol::OpKind::kMsg) {
        answer = std::string(op.payload);
      }
    });
    if (outcome == ReadOutcome::kClosed) throw std::runtime_error(connection_.last_error());
    if (!answer && std::chrono::steady_clock::now() > give_up) {
      throw std::runtime_error("no reply to " + std::string(subject) + " within " +
                               std::to_string(kApiTimeout.count()) + " s");
    }
  }
  if (no_responders) {
    throw std::runtime_error("no responders on " + std::string(subject) +
                             ": JetStream is not enabled on the server");
  }
  return *answer;
}

void JetStreamApi::create_stream(const StreamConfig& config) {
  const std::string reply = request("$JS.API.STREAM.CREATE." + config.name, stream_create_json(config));
  if (const auto error = find_api_error(reply))
    throw std::runtime_error("creating stream " + config.name + ": " + describe(*error));
}

void JetStreamApi::delete_stream(std::string_view name) {
  const std::string reply = request("$JS.API.STREAM.DELETE." + std::string(name), {});
  const auto error = find_api_error(reply);
  if (error && error->err_code != kStreamNotFound)
    throw std::runtime_error("deleting stream " + std::string(name) + ": " + describe(*error));
}

}  // namespace tern::bench
