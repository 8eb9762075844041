#include "server/jetstream/ack_protocol.h"

#include <array>
#include <charconv>

#include "server/jetstream/go_json_scan.h"
#include "server/jetstream/go_text.h"

namespace tern::server::jetstream {

namespace {

// parseAckReplyNum: -1 for an empty token or one with a byte that is not an ASCII digit; otherwise the
// digits accumulated in int64 arithmetic, which wraps (as unsigned arithmetic gives the same bits).
std::uint64_t parse_ack_reply_num(std::string_view token) noexcept {
  if (token.empty()) return ~std::uint64_t{0};
  std::uint64_t n = 0;
  for (const char c : token) {
    if (c < '0' || c > '9') return ~std::uint64_t{0};
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

bool is_number_token(std::string_view token) noexcept {
  if (token.empty()) return false;
  for (const char c : token) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// processNak's delay: the JSON form {"delay":ns} (ConsumerNakOptions, decoded by json.Unmarshal), or a
// Go duration. Nothing where nats-server logs "bad NAK delay value" and naks plainly.
std::optional<std::int64_t> parse_nak_delay(std::string_view arg) {
  if (arg.front() != '{') return parse_go_duration(arg);
  if (go_json::syntax_error(arg)) return std::nullopt;
  std::int64_t delay = 0;
  go_json::MemberReader reader(arg);
  go_json::Member member;
  bool ok = true;
  while (reader.next(member)) {
    if (!go_json::field_matches(member.key, "delay") || member.kind == go_json::ValueKind::kNull) continue;
    // time.Duration decodes with strconv.ParseInt: an integer literal within int64.
    std::int64_t value = 0;
    const auto* end = member.raw.data() + member.raw.size();
    const auto result = std::from_chars(member.raw.data(), end, value);
    if (member.kind != go_json::ValueKind::kNumber || result.ec != std::errc() || result.ptr != end) {
      ok = false;  // Go keeps decoding after a type error, then fails the whole Unmarshal.
      continue;
    }
    delay = value;
  }
  if (!ok) return std::nullopt;
  return delay;
}

}  // namespace

void append_ack_subject(std::string& out, std::string_view stream, std::string_view consumer,
                        const AckReplyInfo& info) {
  out.append("$JS.ACK.");
  out.append(stream);
  out.push_back('.');
  out.append(consumer);
  out.push_back('.');
  append_ack_tokens(out, info);
}

void append_ack_tokens(std::string& out, const AckReplyInfo& info) {
  append_number(out, info.delivery_count);
  out.push_back('.');
  append_number(out, info.stream_seq);
  out.push_back('.');
  append_number(out, info.consumer_seq);
  out.push_back('.');
  append_number(out, info.timestamp_ns);
  out.push_back('.');
  append_number(out, info.pending);
}

std::optional<AckReplyInfo> parse_ack_subject_tail(std::string_view tail) {
  std::array<std::string_view, 5> tokens;
  std::size_t count = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= tail.size(); ++i) {
    if (i < tail.size() && tail[i] != '.') continue;
    if (count == tokens.size()) return std::nullopt;
    tokens[count++] = tail.substr(start, i - start);
    start = i + 1;
  }
  if (count != tokens.size()) return std::nullopt;
  if (!is_number_token(tokens[1]) || !is_number_token(tokens[2])) return std::nullopt;
  AckReplyInfo info;
  info.delivery_count = parse_ack_reply_num(tokens[0]);
  info.stream_seq = parse_ack_reply_num(tokens[1]);
  info.consumer_seq = parse_ack_reply_num(tokens[2]);
  info.timestamp_ns = static_cast<std::int64_t>(parse_ack_reply_num(tokens[3]));
  info.pending = parse_ack_reply_num(tokens[4]);
  if (info.stream_seq == 0 || info.consumer_seq == 0) return std::nullopt;
  return info;
}

AckMessage parse_ack_body(std::string_view body) {
  AckMessage ack;
  if (body.empty() || body == "+ACK" || body == "+OK") {
    ack.kind = AckKind::kAck;
  } else if (body.starts_with("+NXT")) {
    ack.kind = AckKind::kNext;
    ack.next_request = go_trim_space(body.substr(4));
  } else if (body.starts_with("-NAK")) {
    ack.kind = AckKind::kNak;
    const std::string_view arg = go_trim_space(body.substr(4));
    if (!arg.empty()) {
      if (const std::optional<std::int64_t> delay = parse_nak_delay(arg)) ack.nak_delay_ns = *delay;
    }
  } else if (body == "+WPI") {
    ack.kind = AckKind::kProgress;
  } else if (body == "+TERM") {
    ack.kind = AckKind::kTerm;
  }
  return ack;
}

}  // namespace tern::server::jetstream
