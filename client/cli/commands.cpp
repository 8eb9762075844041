#include "client/cli/commands.h"

#include <iostream>
#include <optional>

#include "client/cli/cli_support.h"
#include "client/cli/jetstream_commands.h"
#include "client/client.h"

namespace tern::cli {

using client::Client;
using client::Errc;
using client::Message;

int run_pub(const client::Options& options, const PubArgs& args) {
  const std::string data = args.data_given ? args.data : read_standard_input();
  const auto headers = parse_header_args(args.headers);
  if (!headers) return kExitFailure;
  auto client = connect_or_report(options);
  if (!client) return kExitFailure;
  if (args.jetstream) return publish_to_stream(*client, args, *headers, data);
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
  write_out(out);
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
