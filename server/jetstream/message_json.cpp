#include "server/jetstream/message_json.h"

#include "protocol/base64.h"
#include "server/jetstream/api_json.h"
#include "server/jetstream/stream_config_check.h"

namespace tern::server::jetstream {

namespace {

// http.Header.Write's value cleaning: CR and LF become spaces, then surrounding spaces and tabs go.
std::string header_value(std::string_view value) {
  std::string cleaned(value);
  for (char& c : cleaned) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  const auto first = cleaned.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = cleaned.find_last_not_of(" \t");
  return cleaned.substr(first, last - first + 1);
}

// genHeader: the block without its final CRLF (or a fresh "NATS/1.0\r\n"), the header line, CRLF.
void append_header(std::string& block, std::string_view key, std::string_view value) {
  if (block.size() > 2) {
    block.resize(block.size() - 2);
  } else {
    block = "NATS/1.0\r\n";
  }
  block.append(key).append(": ").append(header_value(value)).append("\r\n\r\n");
}

// The start of a PubAck that nats-server formats with %q: `{"stream":"NAME", "seq":`.
}  // namespace

std::string pub_ack_prefix(std::string_view stream_name) {
  return "{\"stream\":" + go_quote(stream_name) + ", \"seq\":";
}

std::string msg_get_response(const stream::StoredMessage& message) {
  monitor::JsonWriter json(monitor::JsonWriter::Style::kCompact);
  json.begin_object();
  json.field("type", kMsgGetResponseType);
  json.key("message");
  json.begin_object();
  json.field("subject", message.subject);
  json.field("seq", message.seq);
  if (!message.headers.empty()) json.field("hdrs", protocol::base64_encode(message.headers));
  if (!message.payload.empty()) json.field("data", protocol::base64_encode(message.payload));
  json.field("time", format_time_ns(message.timestamp_ns));
  json.end_object();
  json.end_object();
  return json.take();
}

std::string msg_delete_response() {
  monitor::JsonWriter json(monitor::JsonWriter::Style::kCompact);
  json.begin_object();
  json.field("type", kMsgDeleteResponseType);
  json.field("success", true);
  json.end_object();
  return json.take();
}

std::string direct_get_headers(std::string_view stream_name, const stream::StoredMessage& message) {
  const std::string time = format_time_ns(message.timestamp_ns);
  const std::string seq = std::to_string(message.seq);
  if (message.headers.empty()) {
    // nats-server formats this case directly, without genHeader's value cleaning.
    std::string block = "NATS/1.0\r\nNats-Stream: ";
    block.append(stream_name).append("\r\nNats-Subject: ").append(message.subject);
    block.append("\r\nNats-Sequence: ")
        .append(seq)
        .append("\r\nNats-Time-Stamp: ")
        .append(time)
        .append("\r\n\r\n");
    return block;
  }
  std::string block = message.headers;
  append_header(block, "Nats-Stream", stream_name);
  append_header(block, "Nats-Subject", message.subject);
  append_header(block, "Nats-Sequence", seq);
  append_header(block, "Nats-Time-Stamp", time);
  return block;
}

std::string pub_ack(std::string_view stream_name, std::uint64_t seq) {
  return pub_ack_prefix(stream_name) + std::to_string(seq) + "}";
}

std::string pub_ack_duplicate(std::string_view stream_name, std::uint64_t seq) {
  return pub_ack_prefix(stream_name) + std::to_string(seq) + ",\"duplicate\": true}";
}

std::string pub_ack_error(std::string_view stream_name, const ApiError& error) {
  monitor::JsonWriter json(monitor::JsonWriter::Style::kCompact);
  json.begin_object();
  write_api_error(json, error);
  json.field("stream", stream_name);
  json.field("seq", std::uint64_t{0});
  json.end_object();
  return json.take();
}

}  // namespace tern::server::jetstream
