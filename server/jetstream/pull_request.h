// A pull consumer's request for messages, `$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>` (or the body
// after +NXT on an ack), read as nats-server 2.9.10's nextReqFromMsg reads it, and the checks
// processNextMsgRequest then makes against the consumer's limits. Every error is the status header block
// nats-server answers with, sent as an HMSG without payload to the request's reply subject.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::server::jetstream {

struct PullRequest {
  // Messages wanted. JSON without "batch" (or with 0, or a negative number) leaves 0 or less, as in
  // nats-server, which then still delivers one message before the request is done.
  std::int64_t batch = 1;
  // The request's lifetime from now; 0 waits for ever; a negative one has already expired when queued.
  std::int64_t expires_ns = 0;
  std::int64_t max_bytes = 0;  // 0: no limit.
  bool no_wait = false;
  std::int64_t heartbeat_ns = 0;  // Idle heartbeats while the request waits (0 or less: none).
};

// The body, white space trimmed (bytes.TrimSpace): empty is a batch of 1; one starting with '{' is
// JSApiConsumerGetNextRequest JSON ({"batch","expires","max_bytes","no_wait","idle_heartbeat"}, keys
// matched as Go does); anything else is a number for strconv.Atoi, and a batch of 1 when it is not one.
// Errors: "NATS/1.0 400 Bad Request - <Go's json error>\r\n\r\n" for JSON that does not decode (Go's
// syntax and type error texts reproduced), and "NATS/1.0 400 Bad Request - heartbeat value too large
// \r\n\r\n" when a positive idle_heartbeat is more than half of expires (doubled in wrapping int64
// arithmetic, as Go does). `out` is reset first.
std::optional<std::string> parse_pull_request(std::string_view body, PullRequest& out);

// processNextMsgRequest's checks after parsing, each with its 409, each off when the limit is 0 or less:
// "Exceeded MaxRequestBatch of N" for batch > max_batch.
std::optional<std::string> check_max_request_batch(const PullRequest& request, std::int64_t max_batch);
// "Exceeded MaxRequestExpires of D" (D as time.Duration's String) for a set expires beyond max_expires.
std::optional<std::string> check_max_request_expires(const PullRequest& request, std::int64_t max_expires_ns);
// "Exceeded MaxRequestMaxBytes of N" for a set max_bytes over the consumer's max_bytes.
std::optional<std::string> check_max_request_max_bytes(const PullRequest& request, std::int64_t max_bytes);

// A consumer's request limits (its max_batch, max_expires and max_bytes configuration).
struct PullRequestLimits {
  std::int64_t max_batch = 0;
  std::int64_t max_expires_ns = 0;
  std::int64_t max_bytes = 0;
};

// The three checks in nats-server's order: batch, expires, max_bytes.
std::optional<std::string> check_pull_request_limits(const PullRequest& request,
                                                     const PullRequestLimits& limits);

// The same for any configuration that has those three fields under those names (ConsumerConfig).
template <typename Config>
requires requires(const Config& c) {
  { c.max_batch } -> std::convertible_to<std::int64_t>;
  { c.max_expires_ns } -> std::convertible_to<std::int64_t>;
  { c.max_bytes } -> std::convertible_to<std::int64_t>;
}
std::optional<std::string> check_pull_request_limits(const PullRequest& request, const Config& config) {
  return check_pull_request_limits(request,
                                   PullRequestLimits{static_cast<std::int64_t>(config.max_batch),
                                                     static_cast<std::int64_t>(config.max_expires_ns),
                                                     static_cast<std::int64_t>(config.max_bytes)});
}

}  // namespace tern::server::jetstream
