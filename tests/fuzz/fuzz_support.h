// Shared helpers of the fuzz targets. Every target defines LLVMFuzzerTestOneInput; built with clang and
// -fsanitize=fuzzer it is driven by libFuzzer, built with anything else it is driven by replay_main.cpp,
// which feeds it the files of its seed corpus. A failed property aborts in both cases, so that libFuzzer
// saves the input and ctest sees the replay fail.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/parser.h"

// Aborts with the property that failed and where. Not assert(): the checks must stay in release builds.
#define FUZZ_CHECK(condition)                                                   \
  do {                                                                          \
    if (!(condition)) ::tern::fuzz::fail_check(#condition, __FILE__, __LINE__); \
  } while (false)

namespace tern::fuzz {

[[noreturn]] inline void fail_check(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "fuzz check failed: %s at %s:%d\n", condition, file, line);
  std::abort();
}

// Reads the fuzzer's bytes from the front: fixed-size choices first, then whatever is left as data.
// Reading past the end yields zeros, so every input is usable whatever its length.
class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) noexcept : data_(data), size_(size) {}

  std::uint8_t byte() noexcept { return pos_ < size_ ? data_[pos_++] : 0; }
  std::uint16_t u16() noexcept {
    const auto high = byte();
    return static_cast<std::uint16_t>(high << 8 | byte());
  }
  // A value in [0, n); n must be positive.
  std::size_t below(std::size_t n) noexcept { return u16() % n; }
  bool empty() const noexcept { return pos_ >= size_; }
  std::size_t remaining() const noexcept { return pos_ < size_ ? size_ - pos_ : 0; }

  // Up to `n` bytes as text.
  std::string_view text(std::size_t n) noexcept {
    const std::size_t take = n < remaining() ? n : remaining();
    const std::string_view s(reinterpret_cast<const char*>(data_ + pos_), take);
    pos_ += take;
    return s;
  }
  std::string_view rest() noexcept { return text(remaining()); }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// Parses `line`, which must be exactly one whole op of `kind`, and returns that op's argument text.
inline std::string only_op_argument(std::string_view line, protocol::Direction direction,
                                    protocol::OpKind kind) {
  protocol::Parser parser(direction, {1 << 20, 0});
  parser.feed(line);
  protocol::Op op;
  FUZZ_CHECK(parser.next(op) == protocol::ParseStatus::kOp);
  FUZZ_CHECK(op.kind == kind);
  std::string argument(op.arg);
  FUZZ_CHECK(parser.next(op) == protocol::ParseStatus::kNeedMore && parser.at_op_boundary());
  return argument;
}

}  // namespace tern::fuzz
