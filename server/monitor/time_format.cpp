#include "server/monitor/time_format.h"

#include <cstdint>
#include <cstdio>
#include <ctime>

namespace tern::server::monitor {

namespace {

using std::chrono::nanoseconds;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Appends the fraction of v / 10^precision (".12345") with trailing zeros dropped, or nothing when it
// is zero, and returns v / 10^precision: Go's fmtFrac.
std::uint64_t append_fraction(std::string& out, std::uint64_t v, int precision) {
  char digits[16];
  int count = 0;
  bool printing = false;
  for (int i = 0; i < precision; ++i) {
    const auto digit = static_cast<char>(v % 10);
    printing = printing || digit != 0;
    if (printing) digits[count++] = static_cast<char>('0' + digit);
    v /= 10;
  }
  if (count > 0) {
    out.push_back('.');
    while (count > 0)
      out.push_back(digits[--count]);
  }
  return v;
}

}  // namespace

std::string format_rfc3339(SystemTime t, std::chrono::seconds utc_offset) {
  const std::int64_t total_ns = std::chrono::duration_cast<nanoseconds>(t.time_since_epoch()).count() +
                                std::chrono::duration_cast<nanoseconds>(utc_offset).count();
  const std::int64_t seconds = floor_div(total_ns, 1'000'000'000);
  const auto fraction = static_cast<std::uint64_t>(total_ns - seconds * 1'000'000'000);
  const std::chrono::sys_days day{std::chrono::days{floor_div(seconds, 86'400)}};
  const std::chrono::year_month_day date{day};
  const std::int64_t second_of_day = seconds - floor_div(seconds, 86'400) * 86'400;

  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(second_of_day / 3600), static_cast<int>(second_of_day / 60 % 60),
                static_cast<int>(second_of_day % 60));
  std::string out = buffer;
  // RFC3339Nano's ".999999999": up to nine digits, trailing zeros trimmed, no dot on a whole second.
  append_fraction(out, fraction, 9);
  const std::int64_t offset = utc_offset.count();
  if (offset == 0) {
    out.push_back('Z');
  } else {
    const std::int64_t magnitude = offset < 0 ? -offset : offset;
    std::snprintf(buffer, sizeof buffer, "%c%02d:%02d", offset < 0 ? '-' : '+',
                  static_cast<int>(magnitude / 3600), static_cast<int>(magnitude / 60 % 60));
    out.append(buffer);
  }
  return out;
}

std::string format_rfc3339_utc(SystemTime t) {
  return format_rfc3339(t, std::chrono::seconds{0});
}

std::string format_rfc3339_local(SystemTime t) {
  const std::time_t whole = std::chrono::system_clock::to_time_t(t);
  std::tm local{};
  localtime_r(&whole, &local);
  return format_rfc3339(t, std::chrono::seconds{local.tm_gmtoff});
}

std::string format_uptime(nanoseconds d) {
  // Signed arithmetic truncating toward zero, as Go's integer Duration division does.
  const std::int64_t secs = d.count() / 1'000'000'000;
  const std::int64_t mins = secs / 60;
  const std::int64_t hours = mins / 60;
  const std::int64_t days = hours / 24;
  const std::int64_t years = days / 365;
  char buffer[96];
  if (years > 0) {
    std::snprintf(buffer, sizeof buffer, "%lldy%lldd%lldh%lldm%llds", static_cast<long long>(years),
                  static_cast<long long>(days % 365), static_cast<long long>(hours % 24),
                  static_cast<long long>(mins % 60), static_cast<long long>(secs % 60));
  } else if (days > 0) {
    std::snprintf(buffer, sizeof buffer, "%lldd%lldh%lldm%llds", static_cast<long long>(days),
                  static_cast<long long>(hours % 24), static_cast<long long>(mins % 60),
                  static_cast<long long>(secs % 60));
  } else if (hours > 0) {
    std::snprintf(buffer, sizeof buffer, "%lldh%lldm%llds", static_cast<long long>(hours),
                  static_cast<long long>(mins % 60), static_cast<long long>(secs % 60));
  } else if (mins > 0) {
    std::snprintf(buffer, sizeof buffer, "%lldm%llds", static_cast<long long>(mins),
                  static_cast<long long>(secs % 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%llds", static_cast<long long>(secs));
  }
  return buffer;
}

std::string format_go_duration(nanoseconds d) {
  const bool negative = d.count() < 0;
  // Unsigned negation, as Go does, so that the most negative duration still prints.
  std::uint64_t u = static_cast<std::uint64_t>(d.count());
  if (negative) u = 0 - u;
  if (u == 0) return "0s";

  // Go builds the text from the end; this builds the reversed pieces front to back instead.
  std::string out;
  if (negative) out.push_back('-');
  if (u < 1'000'000'000) {
    // Under a second: one unit with a fraction, like 1.2ms.
    int precision = 0;
    const char* unit = "ns";
    if (u >= 1'000'000) {
      precision = 6;
      unit = "ms";
    } else if (u >= 1'000) {
      precision = 3;
      unit = "\xC2\xB5s";  // U+00B5 MICRO SIGN, as Go writes it.
    }
    std::string fraction;
    const std::uint64_t whole = append_fraction(fraction, u, precision);
    out.append(std::to_string(whole)).append(fraction).append(unit);
    return out;
  }
  std::string fraction;
  std::uint64_t whole_seconds = append_fraction(fraction, u, 9);
  const std::uint64_t seconds = whole_seconds % 60;
  std::uint64_t minutes = whole_seconds / 60;
  if (minutes > 0) {
    const std::uint64_t hours = minutes / 60;
    if (hours > 0) out.append(std::to_string(hours)).push_back('h');
    out.append(std::to_string(minutes % 60)).push_back('m');
  }
  out.append(std::to_string(seconds)).append(fraction).push_back('s');
  return out;
}

std::string format_rtt(nanoseconds rtt) {
  if (rtt > std::chrono::microseconds{1} && rtt < std::chrono::milliseconds{1}) {
    rtt = std::chrono::duration_cast<std::chrono::microseconds>(rtt);
  }
  return format_go_duration(rtt);
}

}  // namespace tern::server::monitor
