// Protocol-wide constants shared by the server and the client. Defaults match nats-server 2.9.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tern::protocol {

inline constexpr std::size_t kDefaultMaxControlLine = 4096;
inline constexpr std::int64_t kDefaultMaxPayload = 1024 * 1024;
inline constexpr std::int64_t kDefaultMaxPending = 64 * 1024 * 1024;

// Subjects with more tokens than this are still valid; tokenizers keep this many inline and spill to the
// heap beyond it, so ordinary subjects never allocate.
inline constexpr std::size_t kInlineSubjectTokens = 32;

inline constexpr std::string_view kCrlf = "\r\n";

}  // namespace tern::protocol
