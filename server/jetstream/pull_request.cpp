#include "server/jetstream/pull_request.h"

#include <charconv>

#include "server/jetstream/go_json_scan.h"
#include "server/jetstream/go_text.h"
#include "server/jetstream/status_messages.h"

namespace tern::server::jetstream {

namespace {

// An UnmarshalTypeError's text for a field of JSApiConsumerGetNextRequest.
std::string type_error(std::string_view value, std::string_view field, std::string_view go_type) {
  std::string out = "json: cannot unmarshal ";
  out += value;
  out += " into Go struct field JSApiConsumerGetNextRequest.";
  out += field;
  out += " of type ";
  out += go_type;
  return out;
}

// Decodes an int or time.Duration field as encoding/json does: null leaves it, a number must be an
// integer literal within int64 (strconv.ParseInt), anything else is a type error. Returns the first
// error's text through `error` when there is none yet.
void decode_int(const go_json::Member& member, std::string_view field, std::string_view go_type,
                std::int64_t& out, std::optional<std::string>& error) {
  using go_json::ValueKind;
  if (member.kind == ValueKind::kNull) return;
  if (member.kind == ValueKind::kNumber) {
    std::int64_t value = 0;
    const char* end = member.raw.data() + member.raw.size();
    const auto result = std::from_chars(member.raw.data(), end, value);
    if (result.ec == std::errc() && result.ptr == end) {
      out = value;
      return;
    }
    if (!error) error = type_error("number " + std::string(member.raw), field, go_type);
    return;
  }
  if (!error) error = type_error(go_json::kind_name(member.kind), field, go_type);
}

void decode_bool(const go_json::Member& member, std::string_view field, bool& out,
                 std::optional<std::string>& error) {
  using go_json::ValueKind;
  if (member.kind == ValueKind::kNull) return;
  if (member.kind == ValueKind::kBool) {
    out = member.raw == "true";
    return;
  }
  if (!error) error = type_error(go_json::kind_name(member.kind), field, "bool");
}

// json.Unmarshal into JSApiConsumerGetNextRequest: the error text, if any.
std::optional<std::string> decode_json(std::string_view text, PullRequest& out) {
  if (std::optional<std::string> syntax = go_json::syntax_error(text)) return syntax;
  std::optional<std::string> error;
  go_json::MemberReader reader(text);
  go_json::Member member;
  // Go keeps decoding after a type error and reports the first one.
  while (reader.next(member)) {
    if (go_json::field_matches(member.key, "expires")) {
      decode_int(member, "expires", "time.Duration", out.expires_ns, error);
    } else if (go_json::field_matches(member.key, "batch")) {
      decode_int(member, "batch", "int", out.batch, error);
    } else if (go_json::field_matches(member.key, "max_bytes")) {
      decode_int(member, "max_bytes", "int", out.max_bytes, error);
    } else if (go_json::field_matches(member.key, "no_wait")) {
      decode_bool(member, "no_wait", out.no_wait, error);
    } else if (go_json::field_matches(member.key, "idle_heartbeat")) {
      decode_int(member, "idle_heartbeat", "time.Duration", out.heartbeat_ns, error);
    }
  }
  return error;
}

}  // namespace

std::optional<std::string> parse_pull_request(std::string_view body, PullRequest& out) {
  out = PullRequest{};
  const std::string_view request = go_trim_space(body);
  if (request.empty()) return std::nullopt;
  if (request.front() != '{') {
    if (const std::optional<std::int64_t> n = go_atoi(request)) out.batch = *n;
    return std::nullopt;
  }
  // The JSON form starts from Go's zero value: no "batch" is a batch of 0.
  out.batch = 0;
  if (std::optional<std::string> error = decode_json(request, out)) {
    out = PullRequest{};
    return bad_request_status(*error);
  }
  if (out.heartbeat_ns > 0) {
    // cr.Heartbeat*2 > cr.Expires, in Go's wrapping int64 arithmetic.
    const auto doubled = static_cast<std::int64_t>(static_cast<std::uint64_t>(out.heartbeat_ns) * 2);
    if (doubled > out.expires_ns) {
      out = PullRequest{};
      return bad_request_status("heartbeat value too large");
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_max_request_batch(const PullRequest& request, std::int64_t max_batch) {
  if (max_batch > 0 && request.batch > max_batch) return exceeded_max_request_batch_status(max_batch);
  return std::nullopt;
}

std::optional<std::string> check_max_request_expires(const PullRequest& request,
                                                     std::int64_t max_expires_ns) {
  if (request.expires_ns != 0 && max_expires_ns > 0 && request.expires_ns > max_expires_ns)
    return exceeded_max_request_expires_status(max_expires_ns);
  return std::nullopt;
}

std::optional<std::string> check_max_request_max_bytes(const PullRequest& request, std::int64_t max_bytes) {
  if (request.max_bytes > 0 && max_bytes > 0 && request.max_bytes > max_bytes)
    return exceeded_max_request_max_bytes_status(max_bytes);
  return std::nullopt;
}

std::optional<std::string> check_pull_request_limits(const PullRequest& request,
                                                     const PullRequestLimits& limits) {
  if (auto refusal = check_max_request_batch(request, limits.max_batch)) return refusal;
  if (auto refusal = check_max_request_expires(request, limits.max_expires_ns)) return refusal;
  return check_max_request_max_bytes(request, limits.max_bytes);
}

}  // namespace tern::server::jetstream
