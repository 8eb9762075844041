#include "bench/tools/number_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tern::bench {

std::string with_commas(std::uint64_t value) {
  const std::string digits = std::to_string(value);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(digits[i]);
  }
  return grouped;
}

std::string with_commas(double value) {
  return with_commas(static_cast<std::uint64_t>(std::llround(std::max(0.0, value))));
}

std::string byte_size(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int unit = 0;
  while (bytes >= 1000 && unit < 4) {
    bytes /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.2f %s", bytes, units[unit]);
  return text;
}

std::string percentile_label(double percentile) {
  char text[32];
  std::snprintf(text, sizeof text, "p%g", percentile);
  return text;
}

}  // namespace tern::bench
