#include "client/cli/arguments.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace tern::cli {
namespace {

constexpr double kMsPerHour = 60.0 * 60 * 1000;
constexpr double kMsPerDay = 24 * kMsPerHour;
constexpr double kMaxTimeoutMs = kMsPerDay;
// A hundred years in nanoseconds is about 3.2e18, inside the int64 the server reads limits into.
constexpr double kMaxLimitMs = 100 * 365 * kMsPerDay;

struct Unit {
  std::string_view name;
  double ms;
};

// As natscli: a year is 365 days, a week 7.
constexpr std::array<Unit, 8> kDurationUnits = {{{"", 1000},
                                                 {"ms", 1},
                                                 {"s", 1000},
                                                 {"m", 60 * 1000},
                                                 {"h", kMsPerHour},
                                                 {"d", kMsPerDay},
                                                 {"w", 7 * kMsPerDay},
                                                 {"y", 365 * kMsPerDay}}};

std::string duration_hint(DurationKind kind) {
  return kind == DurationKind::kTimeout ? "use e.g. 2s, 500ms or 1m, at least 1ms and at most 24h"
                                        : "use e.g. 90s, 12h, 7d or 1y, 0 for none, at most 100y";
}

CLI::Option* add_duration_callback(CLI::App* app, const std::string& name, const std::string& description,
                                   DurationKind kind, std::function<void(std::chrono::nanoseconds)> store) {
  return app
      ->add_option_function<std::string>(
          name,
          [name, kind, store = std::move(store)](const std::string& text) {
            const auto duration = parse_duration(text, kind);
            if (!duration) {
              throw CLI::ValidationError("invalid duration \"" + text + "\" for " + name + ": " +
                                         duration_hint(kind));
            }
            store(*duration);
          },
          description)
      ->type_name("DURATION");
}

// Reads a byte or message count with an optional binary unit; std::nullopt when malformed or over
// `maximum`.
std::optional<std::int64_t> parse_limit(std::string_view text, std::int64_t maximum) {
  if (text == "-1") return -1;
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || rest == text.data()) return std::nullopt;
  std::string unit(rest, end);
  for (char& c : unit)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.size() > 1 && unit.back() == 'B') unit.pop_back();
  if (unit.size() > 1 && unit.back() == 'I') unit.pop_back();
  int shift = 0;
  if (unit == "K") {
    shift = 10;
  } else if (unit == "M") {
    shift = 20;
  } else if (unit == "G") {
    shift = 30;
  } else if (unit == "T") {
    shift = 40;
  } else if (!unit.empty() && unit != "B") {
    return std::nullopt;
  }
  if (value > (static_cast<std::uint64_t>(maximum) >> shift)) return std::nullopt;
  return static_cast<std::int64_t>(value << shift);
}

}  // namespace

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text, DurationKind kind) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc()) return std::nullopt;
  const std::string_view unit(rest, static_cast<std::size_t>(end - rest));
  double factor = 0;
  for (const Unit& u : kDurationUnits) {
    if (u.name == unit) factor = u.ms;
  }
  const double ms = value * factor;
  const double minimum = kind == DurationKind::kTimeout ? 1 : 0;
  const double maximum = kind == DurationKind::kTimeout ? kMaxTimeoutMs : kMaxLimitMs;
  // Checked before the cast: converting an infinite, NaN or out-of-range double is undefined.
  if (factor == 0 || !std::isfinite(ms) || ms < minimum || ms > maximum) return std::nullopt;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(ms * 1e6));
}

CLI::Option* add_duration_option(CLI::App* app, const std::string& name, std::chrono::milliseconds& target,
                                 const std::string& description) {
  return add_duration_callback(app, name, description, DurationKind::kTimeout,
                               [&target](std::chrono::nanoseconds duration) {
                                 target = std::chrono::duration_cast<std::chrono::milliseconds>(duration);
                               });
}

CLI::Option* add_duration_option(CLI::App* app, const std::string& name, std::chrono::nanoseconds& target,
                                 const std::string& description, DurationKind kind) {
  return add_duration_callback(app, name, description, kind,
                               [&target](std::chrono::nanoseconds duration) { target = duration; });
}

CLI::Option* add_limit_option(CLI::App* app, const std::string& name, std::int64_t& target,
                              const std::string& description, std::int64_t maximum) {
  return app
      ->add_option_function<std::string>(
          name,
          [&target, name, maximum](const std::string& text) {
            const auto value = parse_limit(text, maximum);
            if (!value) {
              throw CLI::ValidationError(name, "expected -1 (unlimited) or a whole number up to " +
                                                   std::to_string(maximum) +
                                                   ", optionally with K, M, G or T, got \"" + text + "\"");
            }
            target = *value;
          },
          description)
      ->type_name("NUMBER");
}

CLI::Validator count_of_at_least(std::uint64_t minimum) {
  return CLI::Validator(
      [minimum](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [rest, ec] = std::from_chars(text.data(), end, value);
        if (ec != std::errc() || rest != end || value < minimum) {
          return "expected a whole number of " + std::to_string(minimum) + " or more, got \"" + text + "\"";
        }
        return {};
      },
      "NUMBER");
}

void add_force_flag(CLI::App* command) {
  command->add_flag("-f,--force")->description("Accepted for nats compatibility: tern never asks");
}

void throw_choice_error(const std::string& option, const std::string& listing, const std::string& text) {
  std::string expected = listing;
  for (char& c : expected)
    if (c == '|') c = ',';
  throw CLI::ValidationError(option, "expected one of " + expected + ", got \"" + text + "\"");
}

}  // namespace tern::cli
