#include "server/monitor/http_target.h"

#include <http_parser.h>

namespace tern::server::monitor {

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

QueryParams parse_query(std::string_view query) {
  QueryParams params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty() || pair.find(';') != std::string_view::npos) continue;
    const auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value =
        percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!key || !value) continue;
    params.emplace_back(std::move(*key), std::move(*value));
  }
  return params;
}

std::optional<DecodedTarget> decode_target(std::string_view target) {
  http_parser_url url;
  http_parser_url_init(&url);
  if (http_parser_parse_url(target.data(), target.size(), 0, &url) != 0) return std::nullopt;
  const auto field = [&](http_parser_url_fields which) {
    if ((url.field_set & (1u << which)) == 0) return std::string_view{};
    return target.substr(url.field_data[which].off, url.field_data[which].len);
  };
  const std::string_view raw_path = field(UF_PATH);
  const bool absolute = (url.field_set & (1u << UF_SCHEMA)) != 0;
  // "*" (OPTIONS' target) and anything else without a leading slash are refused, as Go refuses them.
  if (!absolute && (raw_path.empty() || raw_path.front() != '/')) return std::nullopt;
  auto path = percent_decode(raw_path.empty() ? std::string_view("/") : raw_path, false);
  if (!path) return std::nullopt;
  return DecodedTarget{std::move(*path), parse_query(field(UF_QUERY))};
}

}  // namespace tern::server::monitor
