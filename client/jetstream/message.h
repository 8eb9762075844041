// A message delivered by a JetStream consumer: the message itself, what its `$JS.ACK` reply subject
// says about it (Metadata), and its acknowledgements as methods.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "client/error.h"
#include "client/jetstream/types.h"
#include "client/message.h"

namespace tern::client::detail {
class Core;
}  // namespace tern::client::detail

namespace tern::client::jetstream {

struct Metadata {
  std::string domain;
  std::string stream;
  std::string consumer;
  std::uint64_t num_delivered = 0;  // 1 on the first delivery, more on redeliveries.
  std::uint64_t stream_sequence = 0;
  std::uint64_t consumer_sequence = 0;
  SystemTime timestamp{};
  std::uint64_t num_pending = 0;  // Messages left for the consumer after this one.
};

// Reads an ack subject: `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>` (nats-server
// 2.9) or the 12-token form with domain and account hash (`$JS.ACK.<domain>.<hash>.<stream>...`).
std::optional<Metadata> parse_metadata(std::string_view reply);

class Message {
 public:
  Message() = default;
  Message(client::Message message, std::shared_ptr<client::detail::Core> core);

  const std::string& subject() const noexcept { return message_.subject; }
  const std::string& data() const noexcept { return message_.data; }
  const Headers& headers() const noexcept { return message_.headers; }
  const std::string& reply() const noexcept { return message_.reply; }
  // The delivery's metadata; nullopt for a message without an ack subject (an ack-none ordered
  // replay still has one; a plain message published to a deliver subject has not).
  const std::optional<Metadata>& metadata() const noexcept { return metadata_; }
  const client::Message& raw() const noexcept { return message_; }
  client::Message take_raw() && { return std::move(message_); }

  // Acknowledgements. Each sends one ack to the server and fails with Errc::kNotJetStreamMessage
  // without an ack subject, Errc::kAlreadyAcked after an ack, nak or term of this message (in_progress
  // may be repeated), or with the connection's error.
  std::error_code ack();
  // Redeliver now, or after `delay`.
  std::error_code nak(std::chrono::nanoseconds delay = std::chrono::nanoseconds(0));
  // Still working: the ack wait starts again.
  std::error_code in_progress();
  // Never redeliver.
  std::error_code term();
  // Acks and waits for the server to confirm it has the ack (the consumer state has moved past it).
  // Not on the I/O thread.
  std::error_code ack_sync(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

 private:
  std::error_code send_ack(std::string_view body, bool final);

  client::Message message_;
  std::optional<Metadata> metadata_;
  std::shared_ptr<client::detail::Core> core_;
  bool acked_ = false;
};

}  // namespace tern::client::jetstream
