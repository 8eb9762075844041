// Maps a parsed configuration file onto Options: the keys ternd honours, with nats-server 2.9's names,
// aliases and value types. Keys are matched case-insensitively, as nats-server does.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/config_file.h"
#include "server/options.h"

namespace tern::server {

// Sets the options named in `root` (a kMap from config::parse_config_file). Entries that were only used
// as variables are skipped. An unknown key or a value of the wrong type or range is an error naming
// file:line:column and the key; the first one is returned and `options` may be partly updated. Values
// nats-server accepts with a warning (a duration given as a number of seconds) are accepted and a
// warning is appended to `warnings`.
std::optional<std::string> apply_config(const config::ConfigValue& root, Options& options,
                                        std::vector<std::string>& warnings);

// Parses a Go duration ("300ms", "1.5h", "2h45m", "-1s"; units ns, us, µs, ms, s, m, h) as nats-server
// does with time.ParseDuration. Sub-millisecond parts are rounded up to a whole millisecond so that a
// tiny positive duration does not become zero. nullopt when the text is not a duration.
std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view text);

}  // namespace tern::server
