// One message on its way through the router: views of its parts, valid for the duration of the route
// call, whoever published it (a client's PUB, still in the read buffer, or the server itself).
#pragma once

#include <cstddef>
#include <string_view>

#include "protocol/frames.h"
#include "protocol/parser.h"

namespace tern::server {

struct RoutedMessage {
  std::string_view subject;
  std::string_view reply;
  // The header block and the body; `payload` is both, back to back (headers first), as they arrived.
  std::string_view payload;
  std::size_t header_size = 0;  // 0 when the message has no headers.
  // Sizes as decimal digits, written once per message and reused in every MSG/HMSG line: the header
  // block's, the whole payload's, and the body's alone (for receivers that did not ask for headers).
  std::string_view header_size_text;
  std::string_view total_size_text;
  std::string_view body_size_text;
  // nats-server frames what its JetStream internals publish with no reply (PubAcks, direct gets,
  // status messages) with an empty reply token: `MSG <subject> <sid>  <size>`, two spaces. Clients
  // read both forms; differential tests compare bytes.
  bool blank_reply_token = false;
  // The subject the message is routed by, when it differs from the one its frames show: a consumer's
  // delivery keeps the stored message's subject but goes to the deliver subject or a pull request's
  // reply (nats-server's dsubj). Empty: `subject`.
  std::string_view route_subject;

  std::string_view headers() const noexcept { return payload.substr(0, header_size); }
  std::string_view body() const noexcept { return payload.substr(header_size); }
  bool has_headers() const noexcept { return header_size > 0; }
};

// A RoutedMessage with storage for the size digits it does not borrow from a control line.
class OwnedSizes {
 public:
  // A message from a client's PUB or HPUB: the sizes are the digits the client sent. Precondition:
  // `op` is a PUB or HPUB and outlives the result.
  RoutedMessage from_op(const protocol::Op& op) noexcept {
    // An HPUB with an empty header block is delivered as a plain MSG, to everyone.
    const std::size_t header_size = op.header_size > 0 ? static_cast<std::size_t>(op.header_size) : 0;
    RoutedMessage msg{op.subject,         op.reply,           op.payload, header_size, op.header_size_text,
                      op.total_size_text, op.total_size_text, false,      {}};
    if (header_size > 0) msg.body_size_text = write(body_, msg.body().size());
    return msg;
  }

  // A message the server publishes itself. `headers` is a complete header block or empty; the payload
  // is headers then body, contiguous. Precondition: the views outlive the result.
  RoutedMessage make(std::string_view subject, std::string_view reply, std::string_view payload,
                     std::size_t header_size) noexcept {
    RoutedMessage msg{subject, reply, payload, header_size, {}, {}, {}, false, {}};
    msg.total_size_text = write(total_, payload.size());
    msg.body_size_text = header_size > 0 ? write(body_, payload.size() - header_size) : msg.total_size_text;
    if (header_size > 0) msg.header_size_text = write(header_, header_size);
    return msg;
  }

 private:
  static std::string_view write(char (&digits)[24], std::size_t n) noexcept {
    return {digits, static_cast<std::size_t>(protocol::write_decimal(digits, n) - digits)};
  }
  char header_[24];
  char total_[24];
  char body_[24];
};

}  // namespace tern::server
