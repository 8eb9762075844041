// What an outbound queue (OutboundBuffer or OutboundQueue) would write next, as one string, for the
// unit tests of both. Header-only: the unit tests do not link the test support library.
#pragma once

#include <uv.h>
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace tern::test {

// The bytes gather() describes, in order; all that is queued under the default limits.
template <class Queue>
std::string gathered(const Queue& out, std::size_t max_buffers = 64, std::size_t max_bytes = SIZE_MAX) {
  uv_buf_t buffers[64];
  REQUIRE(max_buffers <= 64);
  std::size_t total = 0;
  const std::size_t count = out.gather(buffers, max_buffers, max_bytes, total);
  std::string s;
  for (std::size_t i = 0; i < count; ++i)
    s.append(buffers[i].base, buffers[i].len);
  REQUIRE(s.size() == total);
  return s;
}

}  // namespace tern::test
