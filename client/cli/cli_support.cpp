#include "client/cli/cli_support.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <iterator>

#include "client/jetstream/errors.h"
#include "client/jetstream/json_codec.h"
#include "client/server_url.h"

namespace tern::cli {

std::optional<client::Client> connect_or_report(const client::Options& options) {
  auto connected = client::Client::connect(options);
  if (!connected) {
    // The URL may carry a password or token; only host and port are printed.
    const auto url = client::parse_server_url(options.servers.front());
    std::cerr << "tern: cannot connect to " << (url ? url->redacted() : std::string("the server")) << ": "
              << connected.error().message() << "\n";
    return std::nullopt;
  }
  return std::move(*connected);
}

int report_failure(std::string_view what, std::error_code error) {
  std::string why = error.message();
  const std::string& description = client::jetstream::last_api_error();
  // The library's own conditions (bucket not found) may stand for an API error whose description is
  // still kept; only the server's err_codes, which start at 10000, take it.
  constexpr int kFirstApiErrCode = 10000;
  if (error.category() == client::jetstream::jetstream_category() && error.value() >= kFirstApiErrCode &&
      !description.empty() && description != why) {
    // The known message of an err_code is a template ("wrong last sequence: {seq}") when the server
    // fills in specifics; the server's text then says it all.
    why = why.find('{') != std::string::npos ? description : why + " (" + description + ")";
  }
  std::cerr << "tern: " << what << ": " << why << "\n";
  return error == client::Errc::kTimeout ? kExitTimeout : kExitFailure;
}

std::optional<client::Headers> parse_header_args(const std::vector<std::string>& args) {
  client::Headers headers;
  for (const std::string& arg : args) {
    const std::size_t colon = arg.find(':');
    if (colon == std::string::npos || colon == 0) {
      std::cerr << "tern: invalid header \"" << arg << "\", expected KEY:VALUE\n";
      return std::nullopt;
    }
    std::string value = arg.substr(colon + 1);
    while (!value.empty() && value.front() == ' ')
      value.erase(0, 1);
    headers.add(arg.substr(0, colon), std::move(value));
  }
  return headers;
}

std::string read_standard_input() {
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

void write_out(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void print_received(std::uint64_t number, std::string_view subject, std::string_view detail,
                    const client::Headers& headers, std::string_view data) {
  std::string out = "[#" + std::to_string(number) + "] Received on \"" + std::string(subject) + "\"";
  if (!detail.empty()) out += " " + std::string(detail);
  out += "\n";
  for (const auto& [key, value] : headers)
    out += key + ": " + value + "\n";
  if (!headers.empty()) out += "\n";
  out += data;
  out += "\n\n";
  write_out(out);
}

void print_message(std::uint64_t number, const client::Message& message) {
  const std::string detail = message.reply.empty() ? "" : "with reply \"" + message.reply + "\"";
  print_received(number, message.subject, detail, message.headers, message.data);
}

std::string format_section(std::string_view title, const Fields& fields) {
  std::size_t width = 0;
  for (const auto& field : fields)
    width = std::max(width, field.first.size());
  std::string out = std::string(title) + ":\n\n";
  for (const auto& [label, value] : fields)
    out += std::string(width + 2 - label.size(), ' ') + label + ": " + value + "\n";
  return out + "\n";
}

std::string format_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += "\n";
  }
  return out;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::string format_duration(std::chrono::nanoseconds duration) {
  using namespace std::chrono;
  if (duration.count() == 0) return "0s";
  if (duration < seconds(1)) {
    const auto ms = duration_cast<milliseconds>(duration);
    return ms.count() > 0 ? std::to_string(ms.count()) + "ms" : std::to_string(duration.count()) + "ns";
  }
  struct Part {
    nanoseconds size;
    const char* unit;
  };
  const Part parts[] = {{hours(24), "d"}, {hours(1), "h"}, {minutes(1), "m"}, {seconds(1), "s"}};
  std::string out;
  nanoseconds left = duration;
  for (const Part& part : parts) {
    const auto count = left / part.size;
    if (count == 0) continue;
    out += std::to_string(count) + part.unit;
    left -= count * part.size;
  }
  if (const auto ms = duration_cast<milliseconds>(left).count(); ms > 0) {
    out += std::to_string(ms) + "ms";
  }
  return out;
}

std::string format_time(client::jetstream::SystemTime time) {
  return client::jetstream::json::format_rfc3339(time);
}

std::string format_limit(std::int64_t value) {
  return value < 0 ? "unlimited" : std::to_string(value);
}

std::uint64_t Countdown::next() {
  std::lock_guard lock(mu_);
  ++seen_;
  if (remaining_ > 0 && --remaining_ == 0) {
    done_ = true;
    changed_.notify_all();
  }
  return seen_;
}

bool Countdown::finished() const {
  std::lock_guard lock(mu_);
  return done_;
}

void Countdown::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  changed_.notify_all();
}

bool Countdown::wait() {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return done_ || closed_; });
  return done_;
}

client::Options with_close_signal(client::Options options, Countdown& countdown) {
  options.events.on_closed = [&countdown](std::error_code) { countdown.close(); };
  return options;
}

int finish_listening(client::Client& client, Countdown& countdown) {
  const bool reached = countdown.wait();
  if (!reached) {
    std::cerr << "tern: connection closed: " << client.close_reason().message() << "\n";
    return kExitFailure;
  }
  if (const std::error_code error = client.drain(std::chrono::seconds(5))) {
    std::cerr << "tern: drain failed: " << error.message() << "\n";
  }
  return kExitOk;
}

}  // namespace tern::cli
