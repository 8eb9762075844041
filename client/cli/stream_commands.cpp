// `tern stream ...` and `tern pub --js`: streams and what is stored in them.
#include <algorithm>
#include <future>
#include <iostream>
#include <memory>

#include "client/cli/arguments.h"
#include "client/cli/cli_support.h"
#include "client/cli/jetstream_commands.h"
#include "client/jetstream/jetstream.h"

namespace tern::cli {
namespace {

namespace js = client::jetstream;
using client::Expected;

std::string yes_no(bool value) {
  return value ? "true" : "false";
}

// A sequence with its time, as natscli shows the first and last message of a stream.
std::string sequence_at(std::uint64_t sequence, js::SystemTime time, bool has_messages) {
  return has_messages ? std::to_string(sequence) + " @ " + format_time(time) : std::to_string(sequence);
}

std::string describe_stream(const js::StreamInfo& info) {
  const js::StreamConfig& config = info.config;
  Fields settings;
  if (!config.description.empty()) settings.emplace_back("Description", config.description);
  settings.emplace_back("Subjects", config.subjects.empty() ? "none" : join(config.subjects, ", "));
  settings.emplace_back("Storage", storage_name(config.storage));
  settings.emplace_back("Retention",
                        name_of(config.retention, {{js::RetentionPolicy::kLimits, "Limits"},
                                                   {js::RetentionPolicy::kInterest, "Interest"},
                                                   {js::RetentionPolicy::kWorkQueue, "WorkQueue"}}));
  settings.emplace_back("Discard Policy", config.discard == js::DiscardPolicy::kOld ? "Old" : "New");
  settings.emplace_back("Replicas", std::to_string(config.replicas));
  settings.emplace_back("Acknowledgements", yes_no(!config.no_ack));
  settings.emplace_back("Duplicate Window", format_duration(config.duplicate_window));
  settings.emplace_back("Maximum Messages", format_limit(config.max_msgs));
  settings.emplace_back("Maximum Per Subject", format_limit(config.max_msgs_per_subject));
  settings.emplace_back("Maximum Bytes", format_limit(config.max_bytes));
  settings.emplace_back("Maximum Age",
                        config.max_age.count() == 0 ? "unlimited" : format_duration(config.max_age));
  settings.emplace_back("Maximum Message Size", format_limit(config.max_msg_size));
  settings.emplace_back("Maximum Consumers", format_limit(config.max_consumers));
  settings.emplace_back("Allows Rollups", yes_no(config.allow_rollup));
  settings.emplace_back("Allows Msg Delete", yes_no(!config.deny_delete));
  settings.emplace_back("Allows Purge", yes_no(!config.deny_purge));
  if (config.sealed) settings.emplace_back("Sealed", "true");

  const js::StreamState& state = info.state;
  const bool has_messages = state.messages > 0;
  Fields current = {
      {"Messages", std::to_string(state.messages)},
      {"Bytes", std::to_string(state.bytes)},
      {"First Sequence", sequence_at(state.first_seq, state.first_time, has_messages)},
      {"Last Sequence", sequence_at(state.last_seq, state.last_time, has_messages)},
      {"Deleted Messages", std::to_string(state.num_deleted)},
      {"Number of Subjects", std::to_string(state.num_subjects)},
      {"Active Consumers", std::to_string(state.consumer_count)},
  };
  return "Stream " + config.name + " created " + format_time(info.created) + "\n\n" +
         format_section("Configuration", settings) + format_section("State", current);
}

void add_config_options(CLI::App* add, StreamArgs& args) {
  js::StreamConfig& config = args.config;
  add->add_option("--subjects", config.subjects, "Subjects the stream stores (repeatable, or a comma list)")
      ->delimiter(',')
      ->allow_extra_args(false);
  add_choice_option(add, "--storage", config.storage,
                    {{"file", js::StorageType::kFile}, {"memory", js::StorageType::kMemory}},
                    "Storage backend (default file)");
  add_choice_option(add, "--retention", config.retention,
                    {{"limits", js::RetentionPolicy::kLimits},
                     {"interest", js::RetentionPolicy::kInterest},
                     {"workq", js::RetentionPolicy::kWorkQueue},
                     {"work", js::RetentionPolicy::kWorkQueue},
                     {"workqueue", js::RetentionPolicy::kWorkQueue}},
                    "Retention policy (default limits)");
  add_choice_option(add, "--discard", config.discard,
                    {{"old", js::DiscardPolicy::kOld}, {"new", js::DiscardPolicy::kNew}},
                    "What a full stream discards (default old)");
  add_limit_option(add, "--max-msgs", config.max_msgs, "Maximum messages kept (-1 unlimited)");
  add_limit_option(add, "--max-bytes", config.max_bytes, "Maximum bytes kept, e.g. 512M (-1 unlimited)");
  add_duration_option(add, "--max-age", config.max_age, "Maximum age of a message, e.g. 1y (0 unlimited)",
                      DurationKind::kLimit);
  add_limit_option(add, "--max-msg-size", args.max_msg_size, "Maximum size of one message (-1 unlimited)",
                   std::numeric_limits<std::int32_t>::max());
  add_limit_option(add, "--max-msgs-per-subject", config.max_msgs_per_subject,
                   "Maximum messages kept per subject (-1 unlimited)");
  add_duration_option(add, "--dupe-window", config.duplicate_window,
                      "Window for dropping duplicate Nats-Msg-Ids (default 2m)", DurationKind::kLimit);
  add->add_option("--replicas", config.replicas, "Replicas in a cluster")->check(count_of_at_least(1));
  add->add_option("--description", config.description, "Description");
  add->add_flag("--allow-rollup", config.allow_rollup, "Allow Nats-Rollup headers to purge subjects");
  add->add_flag("--deny-delete", config.deny_delete, "Refuse deleting single messages");
  add->add_flag("--deny-purge", config.deny_purge, "Refuse purging the stream");
}

int list_streams(js::JetStream& jets, bool names_only) {
  auto streams = jets.streams();
  if (!streams) return report_failure("cannot list streams", streams.error());
  std::sort(streams->begin(), streams->end(),
            [](const js::StreamInfo& a, const js::StreamInfo& b) { return a.config.name < b.config.name; });
  if (streams->empty()) {
    std::cerr << "No streams defined\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  if (!names_only) rows.push_back({"Stream", "Messages", "Bytes", "Subjects"});
  for (const js::StreamInfo& info : *streams) {
    if (names_only) {
      rows.push_back({info.config.name});
    } else {
      rows.push_back({info.config.name, std::to_string(info.state.messages), std::to_string(info.state.bytes),
                      join(info.config.subjects, ", ")});
    }
  }
  write_out(format_table(rows));
  return kExitOk;
}

int get_message(js::JetStream& jets, const StreamArgs& args) {
  const bool by_subject = !args.last_for.empty();
  auto message = by_subject ? jets.get_last_message(args.name, args.last_for)
                            : jets.get_message(args.name, args.sequence);
  if (!message) {
    const std::string which = by_subject ? "the last message on \"" + args.last_for + "\""
                                         : "message " + std::to_string(args.sequence);
    return report_failure("cannot get " + which + " from stream " + args.name, message.error());
  }
  std::string out = args.name + "#" + std::to_string(message->sequence) + " on \"" + message->subject +
                    "\" stored " + format_time(message->time) + "\n";
  for (const auto& [key, value] : message->headers)
    out += key + ": " + value + "\n";
  out += "\n" + message->data + "\n";
  write_out(out);
  return kExitOk;
}

// Prints where a publish was stored, or why it was not.
int print_pub_ack(const std::string& subject, const Expected<js::PubAck>& ack) {
  if (!ack) {
    if (ack.error() == js::Errc::kNoStreamResponse) {
      std::cerr << "tern: cannot publish to \"" << subject << "\": no stream stores subject \"" << subject
                << "\"\n";
      return kExitFailure;
    }
    return report_failure("cannot publish to \"" + subject + "\"", ack.error());
  }
  write_out("Stored in stream " + ack->stream + ", sequence " + std::to_string(ack->sequence) +
            (ack->duplicate ? " (duplicate)\n" : "\n"));
  return kExitOk;
}

}  // namespace

std::string storage_name(js::StorageType storage) {
  return storage == js::StorageType::kFile ? "File" : "Memory";
}

CLI::App* add_stream_commands(CLI::App& app, StreamArgs& args) {
  CLI::App* group = app.add_subcommand("stream", "Manage JetStream streams");
  group->alias("str");
  group->require_subcommand(1);

  CLI::App* add = add_action(group, "add", "Create a stream and print it", args, StreamAction::kAdd);
  add->add_option("name", args.config.name, "Stream name")->required();
  add_config_options(add, args);

  CLI::App* ls = add_action(group, "ls", "List the streams", args, StreamAction::kList);
  ls->alias("list");
  ls->add_flag("-n,--names", args.names_only, "Print only the names");

  CLI::App* info =
      add_action(group, "info", "Print a stream's configuration and state", args, StreamAction::kInfo);
  info->add_option("name", args.name, "Stream name")->required();

  CLI::App* rm = add_action(group, "rm", "Delete a stream and its messages", args, StreamAction::kRemove);
  rm->alias("delete");
  rm->add_option("name", args.name, "Stream name")->required();
  add_force_flag(rm);

  CLI::App* purge = add_action(group, "purge", "Remove a stream's messages", args, StreamAction::kPurge);
  purge->add_option("name", args.name, "Stream name")->required();
  purge->add_option("--subject", args.purge.subject, "Only messages on this subject");
  purge->add_option("--seq", args.purge.sequence, "Only messages below this sequence")
      ->check(count_of_at_least(1));
  purge->add_option("--keep", args.purge.keep, "Keep this many of the newest messages")
      ->check(count_of_at_least(1));
  add_force_flag(purge);

  CLI::App* get = add_action(group, "get", "Print one stored message", args, StreamAction::kGet);
  get->add_option("name", args.name, "Stream name")->required();
  CLI::Option* sequence = get->add_option("sequence", args.sequence, "Sequence")->check(count_of_at_least(1));
  CLI::Option* last_for = get->add_option("-S,--last-for", args.last_for, "The last message on this subject");
  sequence->excludes(last_for);
  get->callback([sequence, last_for] {
    if (sequence->count() == 0 && last_for->count() == 0) throw CLI::RequiredError("SEQUENCE or --last-for");
  });
  return group;
}

int run_stream(const client::Options& options, const StreamArgs& args) {
  auto client = connect_or_report(options);
  if (!client) return kExitFailure;
  js::JetStream jets(*client);
  switch (args.action) {
    case StreamAction::kAdd: {
      js::StreamConfig config = args.config;
      config.max_msg_size = static_cast<std::int32_t>(args.max_msg_size);
      auto created = jets.add_stream(config);
      if (!created) return report_failure("cannot add stream " + config.name, created.error());
      write_out(describe_stream(*created));
      return kExitOk;
    }
    case StreamAction::kList:
      return list_streams(jets, args.names_only);
    case StreamAction::kInfo: {
      auto info = jets.stream_info(args.name);
      if (!info) return report_failure("cannot get stream " + args.name, info.error());
      write_out(describe_stream(*info));
      return kExitOk;
    }
    case StreamAction::kRemove:
      if (const std::error_code error = jets.delete_stream(args.name)) {
        return report_failure("cannot delete stream " + args.name, error);
      }
      write_out("Deleted stream " + args.name + "\n");
      return kExitOk;
    case StreamAction::kPurge: {
      auto purged = jets.purge_stream(args.name, args.purge);
      if (!purged) return report_failure("cannot purge stream " + args.name, purged.error());
      write_out("Purged " + std::to_string(*purged) + " messages from stream " + args.name + "\n");
      return kExitOk;
    }
    case StreamAction::kGet:
      return get_message(jets, args);
  }
  return kExitFailure;
}

int publish_to_stream(client::Client& client, const PubArgs& args, const client::Headers& headers,
                      std::string_view data) {
  js::JetStream jets(client);
  js::PublishOptions options;
  options.msg_id = args.msg_id;
  if (args.count == 1) return print_pub_ack(args.subject, jets.publish(args.subject, headers, data, options));
  // Every publish is sent before the first PubAck is awaited; each answer reaches its own future, so
  // that the acks print in publish order whatever order they come in.
  std::vector<std::future<Expected<js::PubAck>>> acks;
  acks.reserve(args.count);
  for (std::uint64_t i = 0; i < args.count; ++i) {
    auto ack = std::make_shared<std::promise<Expected<js::PubAck>>>();
    acks.push_back(ack->get_future());
    jets.publish_async(args.subject, headers, data, options,
                       [ack](Expected<js::PubAck> answer) { ack->set_value(std::move(answer)); });
  }
  for (auto& ack : acks) {
    if (const int code = print_pub_ack(args.subject, ack.get()); code != kExitOk) return code;
  }
  return kExitOk;
}

}  // namespace tern::cli
