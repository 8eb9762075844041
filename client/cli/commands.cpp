#include "client/cli/commands.h"

#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <mutex>
#include <optional>

#include "client/client.h"
#include "client/server_url.h"

namespace tern::cli {
namespace {

using client::Client;
using client::Errc;
using client::Headers;
using client::Message;

std::optional<Client> connect_or_report(const client::Options& options) {
  auto connected = Client::connect(options);
  if (!connected) {
    // The URL may carry a password or token; only host and port are printed.
    const auto url = client::parse_server_url(options.servers.front());
    std::cerr << "tern: cannot connect to " << (url ? url->redacted() : std::string("the server")) << ": "
              << connected.error().message() << "\n";
    return std::nullopt;
  }
  return std::move(*connected);
}

// Parses "Key:Value" arguments; reports and returns std::nullopt on one without a key.
std::optional<Headers> parse_header_args(const std::vector<std::string>& args) {
  Headers headers;
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

// Prints a message the way the nats command line does: a header line, the headers, the data.
void print_message(std::uint64_t number, const Message& message) {
  std::string out = "[#" + std::to_string(number) + "] Received on \"" + message.subject + "\"";
  if (!message.reply.empty()) out += " with reply \"" + message.reply + "\"";
  out += "\n";
  for (const auto& [key, value] : message.headers)
    out += key + ": " + value + "\n";
  if (!message.headers.empty()) out += "\n";
  out += message.data;
  out += "\n\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

// Waits until `count` messages were handled (never, when count is 0) or the client closes.
class Countdown {
 public:
  explicit Countdown(std::uint64_t count) : remaining_(count) {}
  // Returns the 1-based number of this message; marks completion when it was the last wanted.
  std::uint64_t next() {
    std::lock_guard lock(mu_);
    ++seen_;
    if (remaining_ > 0 && --remaining_ == 0) {
      done_ = true;
      changed_.notify_all();
    }
    return seen_;
  }
  bool finished() const {
    std::lock_guard lock(mu_);
    return done_;
  }
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }
  // True when the count was reached, false when the client closed first.
  bool wait() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return done_ || closed_; });
    return done_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::uint64_t remaining_;
  std::uint64_t seen_ = 0;
  bool done_ = false;
  bool closed_ = false;
};

client::Options with_close_signal(client::Options options, Countdown& countdown) {
  options.events.on_closed = [&countdown](std::error_code) { countdown.close(); };
  return options;
}

int finish_listening(Client& client, Countdown& countdown) {
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

}  // namespace

int run_pub(const client::Options& options, const PubArgs& args) {
  std::string data = args.data;
  if (!args.data_given)
    data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  const auto headers = parse_header_args(args.headers);
  if (!headers) return kExitFailure;
  auto client = connect_or_report(options);
  if (!client) return kExitFailure;
  for (std::uint64_t i = 0; i < args.count; ++i) {
    const std::error_code error = args.headers.empty()
                                      ? client->publish(args.subject, args.reply, data)
                                      : client->publish(args.subject, args.reply, *headers, data);
    if (error) {
      std::cerr << "tern: publish failed: " << error.message() << "\n";
      return kExitFailure;
    }
  }
  if (const std::error_code error = client->flush()) {
    std::cerr << "tern: flush failed: " << error.message() << "\n";
    return kExitFailure;
  }
  std::cerr << "Published " << data.size() << " bytes to \"" << args.subject << "\"";
  if (args.count > 1) std::cerr << " " << args.count << " times";
  std::cerr << "\n";
  return kExitOk;
}

int run_sub(const client::Options& options, const SubArgs& args) {
  Countdown countdown(args.count);
  auto client = connect_or_report(with_close_signal(options, countdown));
  if (!client) return kExitFailure;
  auto handler = [&countdown](Message message) {
    if (countdown.finished()) return;
    print_message(countdown.next(), message);
  };
  auto sub = client->queue_subscribe(args.subject, args.queue, handler);
  if (!sub) {
    std::cerr << "tern: subscribe failed: " << sub.error().message() << "\n";
    return kExitFailure;
  }
  if (const std::error_code error = client->flush()) {
    std::cerr << "tern: subscribe failed: " << error.message() << "\n";
    return kExitFailure;
  }
  std::cerr << "Subscribing on " << args.subject << "\n";
  return finish_listening(*client, countdown);
}

int run_req(const client::Options& options, const ReqArgs& args) {
  const auto headers = parse_header_args(args.headers);
  if (!headers) return kExitFailure;
  auto client = connect_or_report(options);
  if (!client) return kExitFailure;
  const auto start = std::chrono::steady_clock::now();
  auto reply = (args.headers.empty() ? client->request(args.subject, args.data, args.timeout)
                                     : client->request(args.subject, *headers, args.data, args.timeout))
                   .get();
  if (!reply) {
    if (reply.error() == Errc::kTimeout) {
      std::cerr << "tern: request timed out\n";
      return kExitTimeout;
    }
    if (reply.error() == Errc::kNoResponders) {
      std::cerr << "tern: no responders available for request\n";
      return kExitNoResponders;
    }
    std::cerr << "tern: request failed: " << reply.error().message() << "\n";
    return kExitFailure;
  }
  const auto rtt =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  std::cerr << "Received with rtt " << rtt.count() << "us\n";
  std::string out;
  for (const auto& [key, value] : reply->headers)
    out += key + ": " + value + "\n";
  if (!reply->headers.empty()) out += "\n";
  out += reply->data;
  out += "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

int run_reply(const client::Options& options, const ReplyArgs& args) {
  Countdown countdown(args.count);
  auto client = connect_or_report(with_close_signal(options, countdown));
  if (!client) return kExitFailure;
  Client& replier = *client;
  auto handler = [&](Message message) {
    if (countdown.finished()) return;
    if (!message.reply.empty()) replier.publish(message.reply, args.response);
    print_message(countdown.next(), message);
  };
  auto sub = replier.queue_subscribe(args.subject, args.queue, handler);
  if (!sub) {
    std::cerr << "tern: subscribe failed: " << sub.error().message() << "\n";
    return kExitFailure;
  }
  if (const std::error_code error = replier.flush()) {
    std::cerr << "tern: subscribe failed: " << error.message() << "\n";
    return kExitFailure;
  }
  std::cerr << "Listening on \"" << args.subject << "\"\n";
  return finish_listening(replier, countdown);
}

}  // namespace tern::cli
