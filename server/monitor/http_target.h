// The request target, decoded as Go's net/url decodes it for nats-server's handlers: the path
// percent-decoded ('+' stays), the query split into ordered pairs. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/monitor/http_message.h"

namespace tern::server::monitor {

// Percent-decodes `text`. In a query, '+' is a space. std::nullopt when a '%' is not followed by two
// hex digits.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// Go's url.ParseQuery, keeping order: pairs separated by '&'; empty pairs skipped; a pair holding ';'
// or a bad escape is left out (Go reports an error, which nats-server ignores).
QueryParams parse_query(std::string_view query);

struct DecodedTarget {
  std::string path;
  QueryParams query;
};

// Splits a request target in origin form ("/p?q") or absolute form ("http://h/p?q"). std::nullopt when
// it is neither or its path does not decode: Go answers 400 to those.
std::optional<DecodedTarget> decode_target(std::string_view target);

}  // namespace tern::server::monitor
