// CRC32C (Castagnoli), the checksum of every record and index file of the file store. Uses the SSE4.2
// crc32 instruction when the CPU has it (several GB/s) and a table otherwise; both give the same values.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::server::stream {

// The CRC32C of `size` bytes at `data`, continuing from `crc` (0 to start). crc32c("123456789") is
// 0xE3069283.
std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc = 0) noexcept;

// The table implementation alone, so that tests can compare it with the hardware one.
std::uint32_t crc32c_portable(const void* data, std::size_t size, std::uint32_t crc = 0) noexcept;

// True when crc32c() uses the SSE4.2 instruction on this CPU.
bool crc32c_is_hardware() noexcept;

}  // namespace tern::server::stream
