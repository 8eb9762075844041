// Numbers the way `nats bench` prints them: thousands separators and decimal byte units.
#pragma once

#include <cstdint>
#include <string>

namespace tern::bench {

std::string with_commas(std::uint64_t value);
// Rounds to a whole number first.
std::string with_commas(double value);
// "18.84 MB" (powers of 1000, as nats bench reports).
std::string byte_size(double bytes);
// A percentile label: "p50", "p99.9", "p99.9999".
std::string percentile_label(double percentile);

}  // namespace tern::bench
