#include "bench/tools/progress_line.h"

#include <unistd.h>

#include <cstdio>

#include "bench/tools/number_format.h"

namespace tern::bench {

ProgressLine::ProgressLine(bool enabled)
    : enabled_(enabled),
      terminal_(isatty(STDERR_FILENO) != 0),
      start_(Clock::now()),
      next_(start_ + std::chrono::seconds(1)) {}

ProgressLine::~ProgressLine() {
  finish();
}

void ProgressLine::update(std::uint64_t published, std::uint64_t received) {
  if (!enabled_) return;
  const Clock::time_point now = Clock::now();
  if (now < next_) return;
  next_ = now + std::chrono::seconds(1);
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "%s[%5.1f s] published %s, received %s%s", terminal_ ? "\r" : "", elapsed,
               with_commas(published).c_str(), with_commas(received).c_str(), terminal_ ? "   " : "\n");
  std::fflush(stderr);
  printed_ = true;
}

void ProgressLine::finish() {
  if (printed_ && terminal_) std::fputc('\n', stderr);
  printed_ = false;
}

}  // namespace tern::bench
