// `tern kv ...`: key-value buckets and their keys.
#include <iostream>

#include "client/cli/arguments.h"
#include "client/cli/cli_support.h"
#include "client/cli/jetstream_commands.h"
#include "client/jetstream/kv.h"

namespace tern::cli {
namespace {

namespace js = client::jetstream;

std::string operation_name(js::KeyValueOp op) {
  return name_of(
      op,
      {{js::KeyValueOp::kPut, "PUT"}, {js::KeyValueOp::kDelete, "DEL"}, {js::KeyValueOp::kPurge, "PURGE"}});
}

// A bucket is a stream: its history is the per-subject limit, its TTL the age limit.
std::string describe_bucket(const std::string& bucket, const js::StreamInfo& info) {
  const js::StreamConfig& config = info.config;
  Fields settings;
  if (!config.description.empty()) settings.emplace_back("Description", config.description);
  settings.emplace_back("History", format_limit(config.max_msgs_per_subject));
  settings.emplace_back("TTL", config.max_age.count() == 0 ? "unlimited" : format_duration(config.max_age));
  settings.emplace_back("Storage", storage_name(config.storage));
  settings.emplace_back("Replicas", std::to_string(config.replicas));
  settings.emplace_back("Maximum Value Size", format_limit(config.max_msg_size));
  settings.emplace_back("Maximum Bucket Size", format_limit(config.max_bytes));
  const Fields state = {{"Values", std::to_string(info.state.messages)},
                        {"Bytes", std::to_string(info.state.bytes)}};
  return "Bucket " + bucket + " (stream " + config.name + ") created " + format_time(info.created) + "\n\n" +
         format_section("Configuration", settings) + format_section("State", state);
}

// A watch line: `[7] PUT db.url: postgres://b`; delete and purge markers carry no value.
std::string watch_line(const js::KeyValueEntry& entry) {
  std::string line = "[" + std::to_string(entry.revision) + "] " + operation_name(entry.op) + " " + entry.key;
  if (entry.op == js::KeyValueOp::kPut) line += ": " + entry.value;
  return line + "\n";
}

int watch(const client::Options& options, const KvArgs& args) {
  Countdown countdown(args.count);
  auto client = connect_or_report(with_close_signal(options, countdown));
  if (!client) return kExitFailure;
  js::JetStream jets(*client);
  auto kv = js::key_value(jets, args.bucket);
  if (!kv) return report_failure("cannot open bucket " + args.bucket, kv.error());
  const std::string pattern = args.key.empty() ? ">" : args.key;
  auto watcher = kv->watch(pattern, [&countdown](js::WatchUpdate update) {
    // The empty update only marks where the stored values end and live changes begin.
    if (!update.entry || countdown.finished()) return;
    write_out(watch_line(*update.entry));
    countdown.next();
  });
  if (!watcher) return report_failure("cannot watch bucket " + args.bucket, watcher.error());
  std::cerr << "Watching bucket " << args.bucket << " for " << pattern << "\n";
  return finish_listening(*client, countdown);
}

int run_on_bucket(js::KeyValue& kv, const KvArgs& args) {
  const std::string key = "key " + args.key + " in bucket " + args.bucket;
  switch (args.action) {
    case KvAction::kInfo: {
      auto status = kv.status();
      if (!status) return report_failure("cannot get bucket " + args.bucket, status.error());
      write_out(describe_bucket(args.bucket, *status));
      return kExitOk;
    }
    case KvAction::kPut: {
      const std::string value = args.value_given ? args.value : read_standard_input();
      auto revision = kv.put(args.key, value);
      if (!revision) return report_failure("cannot put " + key, revision.error());
      write_out("Stored " + key + ", revision " + std::to_string(*revision) + "\n");
      return kExitOk;
    }
    case KvAction::kGet: {
      auto entry = args.revision > 0 ? kv.get(args.key, args.revision) : kv.get(args.key);
      if (!entry) return report_failure("cannot get " + key, entry.error());
      write_out(entry->value + "\n");
      return kExitOk;
    }
    case KvAction::kDelete:
    case KvAction::kPurge: {
      const bool purge = args.action == KvAction::kPurge;
      if (const std::error_code error = purge ? kv.purge(args.key) : kv.erase(args.key)) {
        return report_failure(std::string(purge ? "cannot purge " : "cannot delete ") + key, error);
      }
      write_out(std::string(purge ? "Purged " : "Deleted ") + key + "\n");
      return kExitOk;
    }
    case KvAction::kHistory: {
      auto history = kv.history(args.key);
      if (!history) return report_failure("cannot get the history of " + key, history.error());
      std::string out;
      for (const js::KeyValueEntry& entry : *history) {
        out += std::to_string(entry.revision) + " " + operation_name(entry.op) + " " +
               format_time(entry.created);
        if (entry.op == js::KeyValueOp::kPut) out += " " + entry.value;
        out += "\n";
      }
      write_out(out);
      return kExitOk;
    }
    case KvAction::kKeys: {
      auto keys = kv.keys();
      if (!keys) return report_failure("cannot list the keys of bucket " + args.bucket, keys.error());
      if (keys->empty()) std::cerr << "No keys in bucket " << args.bucket << "\n";
      std::string out;
      for (const std::string& name : *keys)
        out += name + "\n";
      write_out(out);
      return kExitOk;
    }
    case KvAction::kAdd:
    case KvAction::kWatch:
    case KvAction::kRemove:
      break;
  }
  return kExitFailure;
}

}  // namespace

CLI::App* add_kv_commands(CLI::App& app, KvArgs& args) {
  CLI::App* group = app.add_subcommand("kv", "Manage key-value buckets and their keys");
  group->require_subcommand(1);
  auto add_bucket = [&args](CLI::App* command) {
    command->add_option("bucket", args.bucket, "Bucket name")->required();
  };
  auto add_key = [&args, &add_bucket](CLI::App* command) {
    add_bucket(command);
    command->add_option("key", args.key, "Key")->required();
  };

  CLI::App* add = add_action(group, "add", "Create a bucket and print it", args, KvAction::kAdd);
  add_bucket(add);
  add->add_option("--history", args.config.history, "Values kept per key, 1 to 64 (default 1)")
      ->check(CLI::Range(1, 64));
  add_duration_option(add, "--ttl", args.config.ttl, "How long a value lives, e.g. 1d (0 for ever)",
                      DurationKind::kLimit);
  add_choice_option(add, "--storage", args.config.storage,
                    {{"file", js::StorageType::kFile}, {"memory", js::StorageType::kMemory}},
                    "Storage backend (default file)");
  add->add_option("--replicas", args.config.replicas, "Replicas in a cluster")->check(count_of_at_least(1));
  add_limit_option(add, "--max-value-size", args.max_value_size, "Maximum size of a value (-1 unlimited)",
                   std::numeric_limits<std::int32_t>::max());
  add_limit_option(add, "--max-bucket-size", args.config.max_bytes,
                   "Maximum bytes of the bucket (-1 unlimited)");
  add->add_option("--description", args.config.description, "Description");

  add_bucket(add_action(group, "info", "Print a bucket's configuration and state", args, KvAction::kInfo));

  CLI::App* put =
      add_action(group, "put", "Store a value (the argument, or standard input)", args, KvAction::kPut);
  add_key(put);
  put->add_option("value", args.value, "Value; read from standard input when absent");
  put->callback([&args, put] { args.value_given = put->count("value") > 0; });

  CLI::App* get = add_action(group, "get", "Print a key's value", args, KvAction::kGet);
  add_key(get);
  get->add_option("--revision", args.revision, "This revision rather than the latest")
      ->check(count_of_at_least(1));

  add_key(add_action(group, "del", "Delete a key (its history stays)", args, KvAction::kDelete));
  add_key(add_action(group, "purge", "Delete a key and its history", args, KvAction::kPurge));
  add_key(add_action(group, "history", "Print every kept value of a key", args, KvAction::kHistory));
  add_bucket(add_action(group, "keys", "List the keys that have a value", args, KvAction::kKeys));

  CLI::App* watch_cmd =
      add_action(group, "watch", "Print the values, then each change", args, KvAction::kWatch);
  add_bucket(watch_cmd);
  watch_cmd->add_option("key", args.key, "Keys to watch, with * and > as in subjects (default >)");
  watch_cmd->add_option("--count", args.count, "Exit after this many updates")->check(count_of_at_least(0));

  CLI::App* rm = add_action(group, "rm", "Delete a bucket and its values", args, KvAction::kRemove);
  add_bucket(rm);
  add_force_flag(rm);
  return group;
}

int run_kv(const client::Options& options, const KvArgs& args) {
  if (args.action == KvAction::kWatch) return watch(options, args);
  auto client = connect_or_report(options);
  if (!client) return kExitFailure;
  js::JetStream jets(*client);
  if (args.action == KvAction::kAdd) {
    js::KeyValueConfig config = args.config;
    config.bucket = args.bucket;
    config.max_value_size = static_cast<std::int32_t>(args.max_value_size);
    auto kv = js::create_key_value(jets, config);
    if (!kv) return report_failure("cannot add bucket " + args.bucket, kv.error());
    auto status = kv->status();
    if (!status) return report_failure("cannot get bucket " + args.bucket, status.error());
    write_out(describe_bucket(args.bucket, *status));
    return kExitOk;
  }
  if (args.action == KvAction::kRemove) {
    if (const std::error_code error = js::delete_key_value(jets, args.bucket)) {
      return report_failure("cannot delete bucket " + args.bucket, error);
    }
    write_out("Deleted bucket " + args.bucket + "\n");
    return kExitOk;
  }
  auto kv = js::key_value(jets, args.bucket);
  if (!kv) return report_failure("cannot open bucket " + args.bucket, kv.error());
  return run_on_bucket(*kv, args);
}

}  // namespace tern::cli
