// What tern-bench reads from JetStream's JSON replies: whether they carry an error, and a few numbers.
// The replies are small objects of a fixed shape written by the server, so scanning for the keys
// needed suffices; a general JSON parser would cost more per PubAck than the rest of the tool.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::bench {

// The `"error":{"code":…,"err_code":…,"description":"…"}` member of an API reply or PubAck.
struct ApiError {
  int code = 0;      // HTTP-like status: 400, 404, 503.
  int err_code = 0;  // JetStream's own error number, e.g. 10059 "stream not found".
  std::string description;
};

// The reply's error, if it has one. A reply that is not a JSON object is an error too (code 0), so
// that a server answering with something unexpected is never taken for a success.
std::optional<ApiError> find_api_error(std::string_view reply);

// "stream not found (code 404, err_code 10059)".
std::string describe(const ApiError& error);

// The unsigned integer after the first `"key":` in `json`, if there is one.
std::optional<std::uint64_t> find_unsigned(std::string_view json, std::string_view key);

// Why `reply` is not a successful PubAck (an error member, or no sequence number), or nothing when it is.
std::optional<std::string> pub_ack_problem(std::string_view reply);

}  // namespace tern::bench
