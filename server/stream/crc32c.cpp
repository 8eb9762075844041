#include "server/stream/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace tern::server::stream {
namespace {

constexpr std::uint32_t kPolynomial = 0x82F63B78u;  // Castagnoli, reflected.

constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t value = i;
    for (int bit = 0; bit < 8; ++bit)
      value = (value & 1) ? (value >> 1) ^ kPolynomial : value >> 1;
    table[i] = value;
  }
  return table;
}

constexpr std::array<std::uint32_t, 256> kTable = make_table();

#if defined(__x86_64__)
// Compiled for SSE4.2 whatever the file's flags; only called after the runtime check below.
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(const void* data, std::size_t size,
                                                             std::uint32_t crc) noexcept {
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::uint64_t value = ~crc;
  while (size >= 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes, 8);
    value = _mm_crc32_u64(value, word);
    bytes += 8;
    size -= 8;
  }
  auto value32 = static_cast<std::uint32_t>(value);
  while (size > 0) {
    value32 = _mm_crc32_u8(value32, *bytes);
    ++bytes;
    --size;
  }
  return ~value32;
}

const bool kHasSse42 = __builtin_cpu_supports("sse4.2");
#else
const bool kHasSse42 = false;
#endif

}  // namespace

std::uint32_t crc32c_portable(const void* data, std::size_t size, std::uint32_t crc) noexcept {
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::uint32_t value = ~crc;
  for (std::size_t i = 0; i < size; ++i)
    value = kTable[(value ^ bytes[i]) & 0xFFu] ^ (value >> 8);
  return ~value;
}

std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc) noexcept {
#if defined(__x86_64__)
  if (kHasSse42) return crc32c_sse42(data, size, crc);
#endif
  return crc32c_portable(data, size, crc);
}

bool crc32c_is_hardware() noexcept {
  return kHasSse42;
}

}  // namespace tern::server::stream
