// Unique identifiers for inboxes, in the manner of NATS's nuid: a random 12-character base-62 prefix
// and a 10-character base-62 sequence that advances by a random increment, so ids are unique across
// processes without coordination and cheap to produce. One Nuid per thread or per connection; it is
// not synchronised.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace tern::client {

class Nuid {
 public:
  static constexpr std::size_t kPrefixLength = 12;
  static constexpr std::size_t kSequenceLength = 10;
  static constexpr std::size_t kLength = kPrefixLength + kSequenceLength;

  Nuid();
  // The next 22-character id.
  std::string next();

 private:
  void randomize_prefix();
  void reset_sequence();

  std::mt19937_64 random_;
  char prefix_[kPrefixLength];
  std::uint64_t sequence_ = 0;
  std::uint64_t increment_ = 0;
};

// The base-62 digits of `value`, most significant first (at least one digit).
std::string to_base62(std::uint64_t value);
// The value of base-62 digits; std::nullopt when empty, too long or holding another character.
std::optional<std::uint64_t> from_base62(std::string_view digits);

}  // namespace tern::client
