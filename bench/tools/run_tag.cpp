#include "bench/tools/run_tag.h"

#include <cstdio>
#include <random>

namespace tern::bench {

std::string random_run_tag() {
  std::random_device seed;
  std::mt19937_64 random(seed());
  char text[20];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(random()));
  return text;
}

}  // namespace tern::bench
