#include "client/jetstream/message.h"

#include <array>
#include <charconv>
#include <future>

#include "client/detail/core.h"
#include "client/jetstream/errors.h"

namespace tern::client::jetstream {
namespace {

// The ack subject's tokens: 9 in nats-server 2.9's own form, 11 or 12 when it carries a domain and an
// account hash (and, in the 12th, a random token) as newer servers and leaf-node hubs write them.
constexpr std::size_t kAckTokensV1 = 9;
constexpr std::size_t kAckTokensV2 = 11;
constexpr std::size_t kAckTokensMax = 12;

bool read_number(std::string_view token, std::uint64_t& out) {
  if (token.empty()) return false;
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), out);
  return error == std::errc() && end == token.data() + token.size();
}

}  // namespace

std::optional<Metadata> parse_metadata(std::string_view reply) {
  std::array<std::string_view, kAckTokensMax + 1> tokens;
  std::size_t count = 0;
  for (std::size_t start = 0;;) {
    const std::size_t dot = reply.find('.', start);
    if (count == tokens.size()) return std::nullopt;
    tokens[count++] =
        reply.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (count != kAckTokensV1 && (count < kAckTokensV2 || count > kAckTokensMax)) return std::nullopt;
  if (tokens[0] != "$JS" || tokens[1] != "ACK") return std::nullopt;
  Metadata metadata;
  // In the short form the fields start at the stream; the long one has domain and hash before it.
  std::size_t at = 2;
  if (count >= kAckTokensV2) {
    metadata.domain = tokens[2] == "_" ? std::string() : std::string(tokens[2]);
    at = 4;
  }
  metadata.stream = tokens[at];
  metadata.consumer = tokens[at + 1];
  std::uint64_t timestamp = 0;
  if (metadata.stream.empty() || metadata.consumer.empty() ||
      !read_number(tokens[at + 2], metadata.num_delivered) ||
      !read_number(tokens[at + 3], metadata.stream_sequence) ||
      !read_number(tokens[at + 4], metadata.consumer_sequence) || !read_number(tokens[at + 5], timestamp) ||
      !read_number(tokens[at + 6], metadata.num_pending)) {
    return std::nullopt;
  }
  metadata.timestamp = SystemTime(std::chrono::nanoseconds(static_cast<std::int64_t>(timestamp)));
  return metadata;
}

Message::Message(client::Message message, std::shared_ptr<client::detail::Core> core)
    : message_(std::move(message)), core_(std::move(core)) {
  metadata_ = parse_metadata(message_.reply);
}

std::error_code Message::send_ack(std::string_view body, bool final) {
  if (!metadata_ || !core_) return make_error_code(Errc::kNotJetStreamMessage);
  if (acked_) return make_error_code(Errc::kAlreadyAcked);
  const std::error_code error = core_->publish(message_.reply, {}, nullptr, body);
  if (!error && final) acked_ = true;
  return error;
}

std::error_code Message::ack() {
  return send_ack("+ACK", true);
}

std::error_code Message::nak(std::chrono::nanoseconds delay) {
  if (delay.count() <= 0) return send_ack("-NAK", true);
  return send_ack("-NAK {\"delay\":" + std::to_string(delay.count()) + "}", true);
}

std::error_code Message::in_progress() {
  return send_ack("+WPI", false);
}

std::error_code Message::term() {
  return send_ack("+TERM", true);
}

std::error_code Message::ack_sync(std::chrono::milliseconds timeout) {
  if (!metadata_ || !core_) return make_error_code(Errc::kNotJetStreamMessage);
  if (acked_) return make_error_code(Errc::kAlreadyAcked);
  if (core_->on_io_thread()) return make_error_code(client::Errc::kWouldDeadlock);
  auto promise = std::make_shared<std::promise<Expected<client::Message>>>();
  auto future = promise->get_future();
  core_->request(
      message_.reply, nullptr, "+ACK", timeout,
      [promise](Expected<client::Message> reply) { promise->set_value(std::move(reply)); }, false);
  const Expected<client::Message> reply = future.get();
  if (!reply) return reply.error();
  acked_ = true;
  return {};
}

}  // namespace tern::client::jetstream
