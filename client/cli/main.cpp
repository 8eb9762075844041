// `tern`: publish, subscribe, request and reply from the command line.
#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "client/cli/commands.h"

namespace {

// Longer timeouts are surely typos; the limit also keeps the conversion to milliseconds defined.
constexpr double kMaxDurationMs = 24.0 * 60 * 60 * 1000;

// Parses "2s", "500ms", "1m" or a bare number of seconds ("1.5") into a duration more than zero and
// at most a day; reports and returns std::nullopt otherwise (`inf`, `nan`, negative, zero, `1e30`).
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text, const char* option) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), end, value);
  const std::string_view unit(rest, static_cast<std::size_t>(end - rest));
  double factor = 0;
  if (unit.empty() || unit == "s") {
    factor = 1000;
  } else if (unit == "ms") {
    factor = 1;
  } else if (unit == "m") {
    factor = 60000;
  }
  const double ms = value * factor;
  // Checked before the cast: converting an infinite, NaN or out-of-range double is undefined.
  if (ec != std::errc() || factor == 0 || !std::isfinite(ms) || ms < 1 || ms > kMaxDurationMs) {
    std::cerr << "tern: invalid duration \"" << text << "\" for " << option
              << ": use e.g. 2s, 500ms or 1m, at least 1ms and at most 24h\n";
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

// A whole number of at least `minimum`. CLI11 would turn "-1" into a huge unsigned count, and its
// range checks print the range as a double of 300 digits.
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

}  // namespace

int main(int argc, char** argv) {
  using namespace tern::cli;
  CLI::App app{"tern: talk to a Tern or NATS server"};
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(
      "Exit codes: 0 success; 1 usage error, connection failure or other error; 2 request timed out; "
      "3 no responders.");

  const char* env_url = std::getenv("NATS_URL");
  std::string server = env_url != nullptr ? env_url : "nats://127.0.0.1:4222";
  tern::client::Options options;
  app.add_option("-s,--server", server, "Server URL, nats://[user:password@]host:port (or $NATS_URL)");
  app.add_option("--user", options.user, "User name");
  app.add_option("--password", options.password, "Password");
  app.add_option("--token", options.token, "Authentication token");
  app.add_option("--name", options.name, "Connection name shown by the server");
  std::string timeout_text = "5s";
  app.add_option("--connect-timeout", timeout_text, "Connection timeout (e.g. 2s, 500ms)");

  PubArgs pub;
  CLI::App* pub_cmd = app.add_subcommand("pub", "Publish a message (the data, or standard input)");
  pub_cmd->add_option("subject", pub.subject, "Subject")->required();
  pub_cmd->add_option("data", pub.data, "Message data; read from standard input when absent");
  pub_cmd->add_option("--count", pub.count, "Publish the message this many times")
      ->check(count_of_at_least(1));
  pub_cmd->add_option("-H,--header", pub.headers, "Header KEY:VALUE (repeatable)")->allow_extra_args(false);
  pub_cmd->add_option("--reply", pub.reply, "Reply subject");

  SubArgs sub;
  CLI::App* sub_cmd = app.add_subcommand("sub", "Subscribe and print the messages");
  sub_cmd->add_option("subject", sub.subject, "Subject (wildcards allowed)")->required();
  sub_cmd->add_option("--queue", sub.queue, "Queue group");
  sub_cmd->add_option("--count", sub.count, "Exit after this many messages")->check(count_of_at_least(0));

  ReqArgs req;
  std::string req_timeout = "2s";
  CLI::App* req_cmd = app.add_subcommand("req", "Send a request and print the reply");
  req_cmd->add_option("subject", req.subject, "Subject")->required();
  req_cmd->add_option("data", req.data, "Request data")->required();
  req_cmd->add_option("--timeout", req_timeout, "How long to wait for the reply (e.g. 2s, 500ms)");
  req_cmd->add_option("-H,--header", req.headers, "Header KEY:VALUE (repeatable)")->allow_extra_args(false);

  ReplyArgs reply;
  CLI::App* reply_cmd = app.add_subcommand("reply", "Answer requests with a fixed response");
  reply_cmd->add_option("subject", reply.subject, "Subject (wildcards allowed)")->required();
  reply_cmd->add_option("response", reply.response, "Response data")->required();
  reply_cmd->add_option("--queue", reply.queue, "Queue group");
  reply_cmd->add_option("--count", reply.count, "Exit after answering this many requests")
      ->check(count_of_at_least(0));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitFailure;
  }
  pub.data_given = pub_cmd->count("data") > 0;

  const auto connect_timeout = parse_duration(timeout_text, "--connect-timeout");
  if (!connect_timeout) return kExitFailure;
  const auto request_timeout = parse_duration(req_timeout, "--timeout");
  if (!request_timeout) return kExitFailure;
  options.servers = {server};
  options.connect_timeout = *connect_timeout;
  req.timeout = *request_timeout;

  if (*pub_cmd) return run_pub(options, pub);
  if (*sub_cmd) return run_sub(options, sub);
  if (*req_cmd) return run_req(options, req);
  return run_reply(options, reply);
}
