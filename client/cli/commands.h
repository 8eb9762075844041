// The subcommands of the `tern` command line, each a function from parsed arguments to an exit code.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "client/options.h"

namespace tern::cli {

// Exit codes, documented in `tern --help`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // Usage errors, connection failures, anything else.
inline constexpr int kExitTimeout = 2;
inline constexpr int kExitNoResponders = 3;

struct PubArgs {
  std::string subject;
  std::string data;
  bool data_given = false;  // When false, the data is read from standard input.
  std::string reply;
  std::uint64_t count = 1;
  std::vector<std::string> headers;  // "Key:Value"
  // JetStream: wait for each message's PubAck and print where it was stored.
  bool jetstream = false;
  std::string msg_id;  // Nats-Msg-Id, by which the stream drops duplicates.
};

struct SubArgs {
  std::string subject;
  std::string queue;
  std::uint64_t count = 0;  // 0: until interrupted.
};

struct ReqArgs {
  std::string subject;
  std::string data;
  std::chrono::milliseconds timeout{2000};
  std::vector<std::string> headers;
};

struct ReplyArgs {
  std::string subject;
  std::string response;
  std::string queue;
  std::uint64_t count = 0;  // 0: until interrupted.
};

int run_pub(const client::Options& options, const PubArgs& args);
int run_sub(const client::Options& options, const SubArgs& args);
int run_req(const client::Options& options, const ReqArgs& args);
int run_reply(const client::Options& options, const ReplyArgs& args);

}  // namespace tern::cli
