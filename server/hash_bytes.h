// The one string hash of the server: FlatTable (trie children, sids) and the match cache key on it.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace tern::server::detail {

__extension__ using Uint128 = unsigned __int128;

// Multiplies into 128 bits and folds the halves: one multiply mixes every input bit into the output.
inline std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) noexcept {
  const Uint128 product = static_cast<Uint128>(a) * b;
  return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
}

inline std::uint64_t load_u64(const char* p) noexcept {
  std::uint64_t value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

inline std::uint64_t load_u32(const char* p) noexcept {
  std::uint32_t value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

// Reads the last 1 to 8 bytes without a loop; the reads overlap when n is not a power of two.
// Precondition: 1 <= n <= 8.
inline std::uint64_t load_tail(const char* p, std::size_t n) noexcept {
  if (n >= 4) return (load_u32(p) << 32) | load_u32(p + n - 4);
  const auto byte = [p](std::size_t i) {
    return static_cast<std::uint64_t>(static_cast<unsigned char>(p[i]));
  };
  return (byte(0) << 16) | (byte(n / 2) << 8) | byte(n - 1);
}

// A fast 64-bit hash for short strings (tokens and subjects), in the style of wyhash.
inline std::uint64_t hash_bytes(std::string_view bytes) noexcept {
  constexpr std::uint64_t kSeed = 0xa0761d6478bd642full;
  constexpr std::uint64_t kMix = 0xe7037ed1a0b428dbull;
  constexpr std::uint64_t kFinal = 0x8ebc6af09c88c6e3ull;
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  std::uint64_t h = kSeed ^ (n * kFinal);
  while (n > 8) {
    h = fold_multiply(h ^ load_u64(p), kMix);
    p += 8;
    n -= 8;
  }
  const std::uint64_t tail = n == 0 ? 0 : load_tail(p, n);
  return fold_multiply(h ^ tail ^ kMix, kFinal ^ bytes.size());
}

}  // namespace tern::server::detail
