// A progress line on stderr for runs that last longer than a second, rewritten in place on a
// terminal and printed once a second otherwise.
#pragma once

#include <cstdint>
#include <string>

#include "bench/tools/client_sample.h"

namespace tern::bench {

class ProgressLine {
 public:
  explicit ProgressLine(bool enabled);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Call often; prints at most once a second, and nothing during the first second.
  void update(std::uint64_t published, std::uint64_t received);
  // Ends the line if one was printed.
  void finish();

 private:
  bool enabled_;
  bool terminal_;
  bool printed_ = false;
  Clock::time_point start_;
  Clock::time_point next_;
};

}  // namespace tern::bench
