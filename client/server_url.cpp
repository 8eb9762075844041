#include "client/server_url.h"

#include <charconv>

namespace tern::client {
namespace {

// Decodes %XX escapes in the user-info part, so that passwords may hold '@' or ':'.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, value, 16);
    if (ec != std::errc() || end != s.data() + i + 3) return std::nullopt;
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

}  // namespace

std::string ServerUrl::host_port() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string ServerUrl::redacted() const {
  return "nats://" + host_port();
}

std::optional<ServerUrl> parse_server_url(std::string_view text) {
  ServerUrl url;
  const std::size_t scheme_end = text.find("://");
  if (scheme_end != std::string_view::npos) {
    const std::string_view scheme = text.substr(0, scheme_end);
    if (scheme != "nats" && scheme != "tcp") return std::nullopt;
    text.remove_prefix(scheme_end + 3);
  }
  if (const std::size_t slash = text.find('/'); slash != std::string_view::npos) text = text.substr(0, slash);
  if (const std::size_t at = text.rfind('@'); at != std::string_view::npos) {
    const std::string_view user_info = text.substr(0, at);
    text.remove_prefix(at + 1);
    const std::size_t colon = user_info.find(':');
    if (colon == std::string_view::npos) {
      auto token = percent_decode(user_info);
      if (!token) return std::nullopt;
      url.token = std::move(*token);
    } else {
      auto user = percent_decode(user_info.substr(0, colon));
      auto password = percent_decode(user_info.substr(colon + 1));
      if (!user || !password) return std::nullopt;
      url.user = std::move(*user);
      url.password = std::move(*password);
    }
  }
  std::string_view port_text;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    url.host = std::string(text.substr(1, close - 1));
    const std::string_view after = text.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
    }
  } else {
    const std::size_t colon = text.rfind(':');
    url.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) port_text = text.substr(colon + 1);
  }
  if (url.host.empty()) return std::nullopt;
  if (!port_text.empty() || text.ends_with(':')) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return std::nullopt;
    }
    url.port = static_cast<std::uint16_t>(port);
  }
  return url;
}

}  // namespace tern::client
