// Option types of the `tern` command line that CLI11 does not read itself: durations, byte sizes,
// counts and choices among words. Each reports a bad value as a CLI11 validation error naming the
// option, so that it ends the parse with exit code 1 before anything connects.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tern::cli {

// What a duration option accepts. Timeouts longer than a day are surely typos (the limit also keeps
// the conversion to milliseconds defined); a stream's age limit or a bucket's TTL may well be years.
enum class DurationKind {
  kTimeout,  // More than zero, at most 24h.
  kLimit,    // Zero ("not set") up to 100 years.
};

// Reads "2s", "500ms", "1m", "2h", "7d", "1w", "1y" or a bare number of seconds ("1.5"); std::nullopt
// when the text is no duration or lies outside what `kind` accepts (`inf`, `nan`, negative, `1e30`).
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text, DurationKind kind);

// A duration option stored into `target` when given.
CLI::Option* add_duration_option(CLI::App* app, const std::string& name, std::chrono::milliseconds& target,
                                 const std::string& description);
CLI::Option* add_duration_option(CLI::App* app, const std::string& name, std::chrono::nanoseconds& target,
                                 const std::string& description, DurationKind kind);

// A byte count or message count: -1 (unlimited), a whole number, or one with a binary unit
// (`512K`, `1MB`, `2GiB`: powers of 1024), at most `maximum`.
CLI::Option* add_limit_option(CLI::App* app, const std::string& name, std::int64_t& target,
                              const std::string& description,
                              std::int64_t maximum = std::numeric_limits<std::int64_t>::max());

// A whole number of at least `minimum`. CLI11 would turn "-1" into a huge unsigned count, and its
// range checks print the range as a double of 300 digits.
CLI::Validator count_of_at_least(std::uint64_t minimum);

// natscli asks before deleting unless given -f; tern never asks, and accepts the flag so that nats
// command lines work unchanged.
void add_force_flag(CLI::App* command);

// Reports a word that add_choice_option does not know, as a CLI11 validation error.
[[noreturn]] void throw_choice_error(const std::string& option, const std::string& listing,
                                     const std::string& text);

// An option taking one of a few words, each standing for a value; several words may stand for one
// value (the first is the one `--help` lists).
template <typename T>
CLI::Option* add_choice_option(CLI::App* app, const std::string& name, T& target,
                               std::vector<std::pair<std::string, T>> choices,
                               const std::string& description) {
  std::string listing;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    bool first_for_value = true;
    for (std::size_t j = 0; j < i; ++j)
      first_for_value = first_for_value && !(choices[j].second == choices[i].second);
    if (!first_for_value) continue;
    if (!listing.empty()) listing += "|";
    listing += choices[i].first;
  }
  return app
      ->add_option_function<std::string>(
          name,
          [&target, choices, name, listing](const std::string& text) {
            for (const auto& [word, value] : choices) {
              if (word == text) {
                target = value;
                return;
              }
            }
            throw_choice_error(name, listing, text);
          },
          description)
      ->type_name(listing);
}

}  // namespace tern::cli
