#include "server/message_router.h"

#include <cstring>

#include "protocol/frames.h"
#include "protocol/subject.h"
#include "server/client_connection.h"
#include "server/server.h"

namespace tern::server {

namespace {

bool has_empty_token(std::string_view subject) noexcept {
  if (subject.empty() || subject.front() == '.' || subject.back() == '.') return true;
  return subject.find("..") != std::string_view::npos;
}

// Equality of two short byte strings, eight bytes at a time and inline: the publisher's cache check
// runs once per message, and a call to libc's memcmp cost a tenth of a small PUB's whole handling.
inline bool same_bytes(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  std::size_t n = a.size();
  while (n >= 8) {
    std::uint64_t u, v;
    std::memcpy(&u, x, 8);
    std::memcpy(&v, y, 8);
    if (u != v) return false;
    x += 8, y += 8, n -= 8;
  }
  while (n > 0) {
    if (*x++ != *y++) return false;
    --n;
  }
  return true;
}

}  // namespace

void MessageRouter::route(const protocol::Op& op) {
  Sublist& sublist = server_.sublist();
  ClientConnection& pub = publisher_;
  if (pub.last_generation_ != sublist.generation() || !same_bytes(pub.last_subject_, op.subject)) {
    // A subject with an empty token reaches nothing. Wildcard characters in a published subject (which
    // only pedantic connections are told about) are plain tokens, matched like any other.
    pub.last_match_ = has_empty_token(op.subject) ? MatchRef() : sublist.match(op.subject);
    pub.last_subject_.assign(op.subject);
    pub.last_generation_ = sublist.generation();
  }
  if (pub.last_match_->empty()) {
    if (!op.reply.empty() && pub.connect_.no_responders) pub.send_no_responders(op.reply);
    return;
  }
  // Hold our own reference: a delivery can end subscriptions and so move the generation on.
  const MatchRef match = pub.last_match_;

  if (op.header_size > 0) {
    const auto body = static_cast<std::size_t>(op.total_size - op.header_size);
    stripped_size_len_ =
        static_cast<std::size_t>(protocol::write_decimal(stripped_size_, body) - stripped_size_);
  }

  bool delivered = false;
  for (Subscription* sub : match->plain)
    delivered |= deliver(*sub, op);
  for (const QueueGroupMatch& group : match->queues) {
    const std::size_t n = group.members.size();
    if (n == 0) continue;
    // One member per group, chosen at random; members that cannot take it pass it on to the next.
    std::size_t member = static_cast<std::size_t>(server_.random().below(n));
    for (std::size_t tried = 0; tried < n; ++tried) {
      if (deliver(*group.members[member], op)) {
        delivered = true;
        break;
      }
      if (++member == n) member = 0;
    }
  }

  if (!delivered && !op.reply.empty() && pub.connect_.no_responders && !pub.closing()) {
    pub.send_no_responders(op.reply);
  }
}

bool MessageRouter::deliver(Subscription& sub, const protocol::Op& op) {
  ClientConnection* to = sub.client;
  if (to == nullptr || to->closing()) return false;
  if (to == &publisher_ && !to->echo()) return false;
  if (sub.max_msgs != 0 && sub.delivered >= sub.max_msgs) return false;

  std::string_view payload = op.payload;
  std::string_view header_size_text;
  std::string_view total_size_text = op.total_size_text;
  // An HPUB with an empty header block is delivered as a plain MSG, to everyone.
  if (op.header_size > 0) {
    if (to->wants_headers()) {
      header_size_text = op.header_size_text;
    } else {
      payload.remove_prefix(static_cast<std::size_t>(op.header_size));
      total_size_text = std::string_view(stripped_size_, stripped_size_len_);
    }
  }
  const std::size_t line =
      protocol::msg_line_size(op.subject, sub.sid, op.reply, header_size_text, total_size_text);
  const std::size_t frame = line + payload.size() + 2;
  char* at = to->reserve_outbound(frame);
  if (at == nullptr) return false;
  at = protocol::write_msg_line(at, op.subject, sub.sid, op.reply, header_size_text, total_size_text);
  std::memcpy(at, payload.data(), payload.size());
  at[payload.size()] = '\r';
  at[payload.size() + 1] = '\n';
  to->commit_outbound(frame);
  to->count_delivery(payload.size());
  auto& stats = server_.stats();
  ++stats.out_msgs;
  stats.out_bytes += payload.size();

  if (server_.log().trace_enabled()) {
    // The line without its op name and CRLF, as nats-server traces it: "->> [MSG foo 1 5]".
    const std::string_view sent(at - line, line - 2);
    const std::size_t op_end = sent.find(' ');
    server_.log().trace_out(to->ident(), sent.substr(0, op_end), sent.substr(op_end + 1));
  }
  if (sub.max_msgs != 0 && ++sub.delivered >= sub.max_msgs) {
    to->remove_subscription(&sub);
  } else if (sub.max_msgs == 0) {
    ++sub.delivered;
  }
  return true;
}

}  // namespace tern::server
