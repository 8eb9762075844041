#include "bench/tools/jetstream_reply.h"

#include <cctype>

namespace tern::bench {

namespace {

// Where the value of the first `"key":` starts (spaces after the colon skipped), or npos.
std::size_t value_start(std::string_view json, std::string_view key) {
  std::string pattern;
  pattern.reserve(key.size() + 3);
  pattern.append("\"").append(key).append("\":");
  std::size_t at = json.find(pattern);
  if (at == std::string_view::npos) return at;
  at += pattern.size();
  while (at < json.size() && json[at] == ' ')
    ++at;
  return at;
}

std::optional<std::int64_t> find_integer(std::string_view json, std::string_view key) {
  std::size_t at = value_start(json, key);
  if (at == std::string_view::npos || at >= json.size()) return std::nullopt;
  const bool negative = json[at] == '-';
  if (negative) ++at;
  if (at >= json.size() || !std::isdigit(static_cast<unsigned char>(json[at]))) return std::nullopt;
  std::int64_t value = 0;
  for (; at < json.size() && std::isdigit(static_cast<unsigned char>(json[at])); ++at)
    value = value * 10 + (json[at] - '0');
  return negative ? -value : value;
}

// The string value of `"key":"…"`, escapes kept as written: it only goes into messages for people.
std::string find_string(std::string_view json, std::string_view key) {
  std::size_t at = value_start(json, key);
  if (at == std::string_view::npos || at >= json.size() || json[at] != '"') return {};
  std::string value;
  for (++at; at < json.size() && json[at] != '"'; ++at) {
    if (json[at] == '\\' && at + 1 < json.size()) value.push_back(json[at++]);
    value.push_back(json[at]);
  }
  return value;
}

}  // namespace

std::optional<ApiError> find_api_error(std::string_view reply) {
  if (reply.empty() || reply.front() != '{') {
    return ApiError{.code = 0, .err_code = 0, .description = "not a JSON object: " + std::string(reply)};
  }
  const std::size_t at = value_start(reply, "error");
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view member = reply.substr(at);
  ApiError error;
  error.code = static_cast<int>(find_integer(member, "code").value_or(0));
  error.err_code = static_cast<int>(find_integer(member, "err_code").value_or(0));
  error.description = find_string(member, "description");
  if (error.description.empty()) error.description = std::string(reply);
  return error;
}

std::string describe(const ApiError& error) {
  return error.description + " (code " + std::to_string(error.code) + ", err_code " +
         std::to_string(error.err_code) + ")";
}

std::optional<std::uint64_t> find_unsigned(std::string_view json, std::string_view key) {
  const auto value = find_integer(json, key);
  if (!value || *value < 0) return std::nullopt;
  return static_cast<std::uint64_t>(*value);
}

std::optional<std::string> pub_ack_problem(std::string_view reply) {
  if (const auto error = find_api_error(reply)) return describe(*error);
  if (!find_unsigned(reply, "seq")) return "a PubAck without a sequence number: " + std::string(reply);
  return std::nullopt;
}

}  // namespace tern::bench
