// The few Go standard library text conversions that nats-server's consumer protocol exposes on the wire:
// time.ParseDuration (a -NAK delay), time.Duration's String (409 Exceeded MaxRequestExpires of 1.5s),
// bytes.TrimSpace (ack and pull request bodies) and strconv.Atoi (a pull request that is a bare number),
// each reproduced from Go 1.19, the toolchain nats-server 2.9.10 was built with.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::server::jetstream {

// time.ParseDuration: a possibly signed sequence of decimal numbers, each with an optional fraction and
// a unit (ns, us, µs, μs, ms, s, m, h), such as "300ms", "-1.5h" or "2h45m"; "0" alone needs no unit.
// Returns nanoseconds, or nothing where Go returns an error (including overflow of int64).
std::optional<std::int64_t> parse_go_duration(std::string_view text);

// Appends `value` in decimal, as strconv.FormatInt/FormatUint write it.
template <typename Integer>
void append_number(std::string& out, Integer value) {
  std::array<char, 24> digits{};
  const auto result = std::to_chars(digits.data(), digits.data() + digits.size(), value);
  out.append(digits.data(), result.ptr);
}

// time.Duration.String: "0s", "1.5s", "2m0s", "1h0m0s", "300ms", "1.5µs", "10ns", "-1s".
void append_go_duration(std::string& out, std::int64_t ns);
std::string go_duration_string(std::int64_t ns);

// bytes.TrimSpace: strips Unicode white space (unicode.IsSpace: ASCII \t \n \v \f \r and space, U+0085,
// U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000) from both ends.
std::string_view go_trim_space(std::string_view text) noexcept;

// strconv.Atoi on a 64-bit platform: an optional sign and decimal digits only, within int64.
std::optional<std::int64_t> go_atoi(std::string_view text) noexcept;

// encoding/json's quoteChar: how its syntax errors show the offending byte ('x', '\'', '"', '\n',
// '\x00', '\u0080', 'é'), a byte at or above 0x80 being taken as the code point of the same value.
std::string go_quote_char(unsigned char c);

}  // namespace tern::server::jetstream
