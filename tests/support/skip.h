// How a test case that cannot run here says so, instead of passing without checking anything. Catch2 v2
// has no SKIP: the case prints a line starting with "SKIPPED: " and returns before any assertion, and
// ctest, given SKIP_REGULAR_EXPRESSION (set for every Catch2 test in tests/CMakeLists.txt), reports it
// as skipped. The line must never be printed by a case that checked something: ctest's skip verdict
// wins over a failure.
#pragma once

#include <iostream>
#include <string_view>

namespace tern::test {

inline void print_skipped(std::string_view reason) {
  std::cout << "SKIPPED: " << reason << std::endl;
}

}  // namespace tern::test

// Ends the current test case as skipped, giving the reason.
#define TERN_SKIP(reason)                \
  do {                                   \
    ::tern::test::print_skipped(reason); \
    return;                              \
  } while (false)
