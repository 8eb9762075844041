// libFuzzer target: a pull request's body (server/jetstream/pull_request.h) and Go's JSON scanner
// (go_json_scan.h). Bytes 0-5 are the consumer's limits (max_batch, max_expires, max_bytes: 0 to 65535
// each), the rest the body. Nothing may crash; an error is a whole 400 status block; an accepted
// heartbeat is at most half of expires; every refusal of the limit checks is a whole 409 block; and
// JSON that simdjson takes, Go's scanner takes too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/jetstream/go_json.h"
#include "server/jetstream/go_json_scan.h"
#include "server/jetstream/pull_request.h"
#include "tests/fuzz/fuzz_support.h"

namespace js = tern::server::jetstream;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tern::fuzz::FuzzInput input(data, size);
  js::PullRequestLimits limits;
  limits.max_batch = input.u16();
  limits.max_expires_ns = static_cast<std::int64_t>(input.u16()) * 1'000'000;
  limits.max_bytes = input.u16();
  const std::string_view body = input.rest();

  js::PullRequest request;
  if (const auto error = js::parse_pull_request(body, request)) {
    FUZZ_CHECK(error->starts_with("NATS/1.0 400 Bad Request - "));
    FUZZ_CHECK(error->ends_with("\r\n\r\n"));
  } else {
    if (request.heartbeat_ns > 0) {
      const auto doubled = static_cast<std::int64_t>(static_cast<std::uint64_t>(request.heartbeat_ns) * 2);
      FUZZ_CHECK(doubled <= request.expires_ns);
    }
    if (const auto refusal = js::check_pull_request_limits(request, limits)) {
      FUZZ_CHECK(refusal->starts_with("NATS/1.0 409 Exceeded MaxRequest"));
      FUZZ_CHECK(refusal->ends_with("\r\n\r\n"));
    }
  }
  if (js::go_json::parse(body)) FUZZ_CHECK(!js::go_json::syntax_error(body).has_value());
  return 0;
}
