// The JetStream subcommands of `tern`: `stream`, `consumer` and `kv`, each a group of actions named
// as natscli names them, and `pub --js`. Each group registers its options into an argument struct and
// returns its subcommand, so that main() only asks which group ran.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/cli/commands.h"
#include "client/client.h"
#include "client/jetstream/kv.h"
#include "client/jetstream/types.h"

namespace tern::cli {

enum class StreamAction : std::uint8_t { kAdd, kList, kInfo, kRemove, kPurge, kGet };

struct StreamArgs {
  StreamAction action = StreamAction::kList;
  std::string name;
  client::jetstream::StreamConfig config;  // add
  std::int64_t max_msg_size = -1;          // add: read wider than the config's int32, then checked.
  bool names_only = false;                 // ls
  client::jetstream::PurgeOptions purge;   // purge
  std::uint64_t sequence = 0;              // get: by sequence, or
  std::string last_for;                    // get: the last message of a subject.
};

enum class ConsumerAction : std::uint8_t { kAdd, kList, kInfo, kRemove, kNext };

struct ConsumerArgs {
  ConsumerAction action = ConsumerAction::kList;
  std::string stream;
  std::string name;
  client::jetstream::ConsumerConfig config;  // add
  bool names_only = false;                   // ls
  std::uint64_t count = 1;                   // next
  bool no_ack = false;                       // next
  std::chrono::milliseconds timeout{5000};   // next: how long all `count` messages may take.
};

enum class KvAction : std::uint8_t {
  kAdd,
  kInfo,
  kPut,
  kGet,
  kDelete,
  kPurge,
  kHistory,
  kWatch,
  kKeys,
  kRemove
};

struct KvArgs {
  KvAction action = KvAction::kInfo;
  std::string bucket;
  std::string key;
  std::string value;
  bool value_given = false;                  // put: when false, the value is read from standard input.
  client::jetstream::KeyValueConfig config;  // add
  std::int64_t max_value_size = -1;          // add: read wider than the config's int32, then checked.
  std::uint64_t revision = 0;                // get: 0 for the latest.
  std::uint64_t count = 0;                   // watch: 0 until interrupted.
};

CLI::App* add_stream_commands(CLI::App& app, StreamArgs& args);
CLI::App* add_consumer_commands(CLI::App& app, ConsumerArgs& args);
CLI::App* add_kv_commands(CLI::App& app, KvArgs& args);

int run_stream(const client::Options& options, const StreamArgs& args);
int run_consumer(const client::Options& options, const ConsumerArgs& args);
int run_kv(const client::Options& options, const KvArgs& args);

// `pub --js`: publishes `args.count` times, waits for each PubAck and prints where it was stored.
int publish_to_stream(client::Client& client, const PubArgs& args, const client::Headers& headers,
                      std::string_view data);

// Shared by the groups' reports.
std::string storage_name(client::jetstream::StorageType storage);

// A subcommand of `group` that records `action` in `args` when it is the one given.
template <typename Args, typename Action>
CLI::App* add_action(CLI::App* group, const std::string& name, const std::string& description, Args& args,
                     Action action) {
  CLI::App* command = group->add_subcommand(name, description);
  command->parse_complete_callback([&args, action] { args.action = action; });
  return command;
}

}  // namespace tern::cli
