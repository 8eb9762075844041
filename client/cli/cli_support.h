// What the subcommands of `tern` share: connecting, reading headers and data from the arguments,
// printing messages and reports, and waiting for a number of messages.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "client/cli/commands.h"
#include "client/client.h"
#include "client/jetstream/types.h"

namespace tern::cli {

// Connects, or prints why not (without the credentials a URL may carry) and returns std::nullopt.
std::optional<client::Client> connect_or_report(const client::Options& options);

// Prints "tern: <what>: <why>" and returns the exit code for the error: kExitTimeout for a timeout,
// kExitFailure otherwise. For a JetStream API error the server's own description is printed too, as
// it names the specifics ("wrong last sequence: 2") that the error code's message leaves out.
int report_failure(std::string_view what, std::error_code error);

// Parses "Key:Value" arguments; reports and returns std::nullopt on one without a key.
std::optional<client::Headers> parse_header_args(const std::vector<std::string>& args);
std::string read_standard_input();

// Prints a received message the way the nats command line does: a header line, the headers, the
// data and a blank line. `detail` follows the subject on the header line.
void print_received(std::uint64_t number, std::string_view subject, std::string_view detail,
                    const client::Headers& headers, std::string_view data);
void print_message(std::uint64_t number, const client::Message& message);

// Writes `text` to standard output at once and flushes it, so that a reader sees whole messages.
void write_out(std::string_view text);

// A report of labelled values, the labels right-aligned as natscli prints them:
//   "Configuration:\n\n  Subjects: orders.>\n   Storage: File\n\n".
using Fields = std::vector<std::pair<std::string, std::string>>;
std::string format_section(std::string_view title, const Fields& fields);

// Rows of cells, each column as wide as its widest cell and two spaces from the next, with no
// spaces after the last cell of a row.
std::string format_table(const std::vector<std::vector<std::string>>& rows);
std::string join(const std::vector<std::string>& items, std::string_view separator);

// Durations as 1d2h, 2m, 1m30s, 1s500ms or 250ms; times in RFC 3339 UTC.
std::string format_duration(std::chrono::nanoseconds duration);
std::string format_time(client::jetstream::SystemTime time);
// -1 (and other negative limits) as "unlimited".
std::string format_limit(std::int64_t value);

// The display name of an enum value from a table of (value, name) pairs; "unknown" for one it lacks.
template <typename Enum>
std::string name_of(Enum value, std::initializer_list<std::pair<Enum, const char*>> names) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "unknown";
}

// Waits until `count` messages were handled (never, when count is 0) or the client closes.
class Countdown {
 public:
  explicit Countdown(std::uint64_t count) : remaining_(count) {}
  // Returns the 1-based number of this message; marks completion when it was the last wanted.
  std::uint64_t next();
  bool finished() const;
  void close();
  // True when the count was reached, false when the client closed first.
  bool wait();

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::uint64_t remaining_;
  std::uint64_t seen_ = 0;
  bool done_ = false;
  bool closed_ = false;
};

client::Options with_close_signal(client::Options options, Countdown& countdown);
// Waits for the countdown, then drains the client; reports a connection that closed first.
int finish_listening(client::Client& client, Countdown& countdown);

}  // namespace tern::cli
