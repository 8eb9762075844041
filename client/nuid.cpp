#include "client/nuid.h"

#include <algorithm>

namespace tern::client {
namespace {

constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::uint64_t kBase = 62;
// 62^10: the sequence wraps here and a fresh prefix is drawn.
constexpr std::uint64_t kMaxSequence = 839299365868340224ULL;
constexpr std::uint64_t kMinIncrement = 33;
constexpr std::uint64_t kMaxIncrement = 333;

std::uint64_t seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

Nuid::Nuid() : random_(seed()) {
  randomize_prefix();
  reset_sequence();
}

void Nuid::randomize_prefix() {
  for (char& c : prefix_)
    c = kDigits[random_() % kBase];
}

void Nuid::reset_sequence() {
  sequence_ = random_() % kMaxSequence;
  increment_ = kMinIncrement + random_() % (kMaxIncrement - kMinIncrement);
}

std::string Nuid::next() {
  sequence_ += increment_;
  if (sequence_ >= kMaxSequence) {
    randomize_prefix();
    reset_sequence();
  }
  std::string id(kLength, '0');
  std::copy(prefix_, prefix_ + kPrefixLength, id.begin());
  std::uint64_t rest = sequence_;
  for (std::size_t i = kLength; i > kPrefixLength; --i) {
    id[i - 1] = kDigits[rest % kBase];
    rest /= kBase;
  }
  return id;
}

std::string to_base62(std::uint64_t value) {
  std::string digits;
  do {
    digits.push_back(kDigits[value % kBase]);
    value /= kBase;
  } while (value != 0);
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::optional<std::uint64_t> from_base62(std::string_view digits) {
  // 62^10 fits in 64 bits; 11 digits may not.
  if (digits.empty() || digits.size() > 10) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : digits) {
    std::uint64_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<std::uint64_t>(c - '0');
    } else if (c >= 'A' && c <= 'Z') {
      digit = static_cast<std::uint64_t>(c - 'A') + 10;
    } else if (c >= 'a' && c <= 'z') {
      digit = static_cast<std::uint64_t>(c - 'a') + 36;
    } else {
      return std::nullopt;
    }
    value = value * kBase + digit;
  }
  return value;
}

}  // namespace tern::client
