#include "server/jetstream/status_messages.h"

#include <array>
#include <charconv>

#include "server/jetstream/go_text.h"

namespace tern::server::jetstream {

namespace {

std::string pending_status(std::string_view status_line, std::int64_t messages, std::int64_t bytes) {
  std::string out(status_line);
  out += "\r\nNats-Pending-Messages: ";
  append_number(out, messages);
  out += "\r\nNats-Pending-Bytes: ";
  append_number(out, bytes);
  out += "\r\n\r\n";
  return out;
}

}  // namespace

std::string request_timeout_status(std::int64_t pending_messages, std::int64_t pending_bytes) {
  return pending_status("NATS/1.0 408 Request Timeout", pending_messages, pending_bytes);
}

std::string interest_expired_status(std::int64_t pending_messages, std::int64_t pending_bytes) {
  return pending_status("NATS/1.0 408 Interest Expired", pending_messages, pending_bytes);
}

std::string message_size_exceeds_max_bytes_status(std::int64_t pending_messages, std::int64_t pending_bytes) {
  return pending_status("NATS/1.0 409 Message Size Exceeds MaxBytes", pending_messages, pending_bytes);
}

std::string bad_request_status(std::string_view reason) {
  std::string out = "NATS/1.0 400 Bad Request - ";
  out += reason;
  out += "\r\n\r\n";
  return out;
}

std::string exceeded_max_request_batch_status(std::int64_t max_batch) {
  std::string out = "NATS/1.0 409 Exceeded MaxRequestBatch of ";
  append_number(out, max_batch);
  out += "\r\n\r\n";
  return out;
}

std::string exceeded_max_request_expires_status(std::int64_t max_expires_ns) {
  std::string out = "NATS/1.0 409 Exceeded MaxRequestExpires of ";
  append_go_duration(out, max_expires_ns);
  out += "\r\n\r\n";
  return out;
}

std::string exceeded_max_request_max_bytes_status(std::int64_t max_bytes) {
  std::string out = "NATS/1.0 409 Exceeded MaxRequestMaxBytes of ";
  append_number(out, max_bytes);
  out += "\r\n\r\n";
  return out;
}

std::string idle_heartbeat_status(std::uint64_t last_consumer_seq, std::uint64_t last_stream_seq,
                                  std::string_view stalled_on) {
  std::string out = "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: ";
  append_number(out, last_consumer_seq);
  out += "\r\nNats-Last-Stream: ";
  append_number(out, last_stream_seq);
  out += "\r\n";
  if (!stalled_on.empty()) {
    out += "Nats-Consumer-Stalled: ";
    out += stalled_on;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

std::string headers_only_block(std::string_view headers, std::size_t payload_size) {
  std::string out;
  if (headers.empty()) {
    out = "NATS/1.0\r\n";
  } else {
    // nats-server cuts the last two bytes blindly; a stored block always ends with its blank line.
    out.assign(headers.substr(0, headers.size() >= 2 ? headers.size() - 2 : 0));
  }
  out += "Nats-Msg-Size: ";
  append_number(out, payload_size);
  out += "\r\n\r\n";
  return out;
}

std::string flow_control_subject(std::string_view stream, std::string_view consumer, std::string_view token) {
  std::string out = "$JS.FC.";
  out += stream;
  out += '.';
  out += consumer;
  out += '.';
  out += token;
  return out;
}

std::string flow_control_token(std::uint64_t random) {
  static constexpr std::string_view kDigits =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out(4, '0');
  for (char& c : out) {
    c = kDigits[random % kDigits.size()];
    random /= kDigits.size();
  }
  return out;
}

}  // namespace tern::server::jetstream
