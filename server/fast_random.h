// A small, fast pseudo-random generator for choices on the hot path (which queue-group member gets a
// message). Not for anything secret. xorshift64* by Vigna: one multiply and three shifts per number,
// against mt19937_64's 2.5 KB of state and its periodic refill.
#pragma once

#include <cstdint>

namespace tern::server {

class FastRandom {
 public:
  // Precondition: seed != 0 (a zero seed is replaced, since xorshift never leaves zero).
  explicit FastRandom(std::uint64_t seed) noexcept : state_(seed != 0 ? seed : 0x9E3779B97F4A7C15ull) {}

  std::uint64_t next() noexcept {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1Dull;
  }

  // A number in [0, n) without a division (Lemire's multiply-shift). Precondition: n > 0.
  std::uint64_t below(std::uint64_t n) noexcept {
    // __extension__ keeps -Wpedantic quiet about the GCC/Clang 128-bit type.
    __extension__ using Wide = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<Wide>(next()) * n) >> 64);
  }

 private:
  std::uint64_t state_;
};

}  // namespace tern::server
