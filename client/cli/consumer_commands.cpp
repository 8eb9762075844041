// `tern consumer ...`: a stream's consumers, and reading from a pull consumer.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <iostream>

#include "client/cli/arguments.h"
#include "client/cli/cli_support.h"
#include "client/cli/jetstream_commands.h"
#include "client/jetstream/jetstream.h"

namespace tern::cli {
namespace {

namespace js = client::jetstream;

std::string deliver_policy_text(const js::ConsumerConfig& config) {
  if (config.deliver_policy == js::DeliverPolicy::kByStartSequence) {
    return "From sequence " + std::to_string(config.opt_start_seq);
  }
  if (config.deliver_policy == js::DeliverPolicy::kByStartTime) {
    return "From time " + (config.opt_start_time ? format_time(*config.opt_start_time) : std::string("?"));
  }
  return name_of(config.deliver_policy, {{js::DeliverPolicy::kAll, "All"},
                                         {js::DeliverPolicy::kLast, "Last"},
                                         {js::DeliverPolicy::kNew, "New"},
                                         {js::DeliverPolicy::kLastPerSubject, "Last Per Subject"}});
}

std::string sequences(const js::SequenceInfo& sequence) {
  return "consumer sequence " + std::to_string(sequence.consumer_seq) + ", stream sequence " +
         std::to_string(sequence.stream_seq);
}

bool is_pull(const js::ConsumerConfig& config) {
  return config.deliver_subject.empty();
}

std::string describe_consumer(const js::ConsumerInfo& info) {
  const js::ConsumerConfig& config = info.config;
  Fields settings;
  if (!config.durable_name.empty()) settings.emplace_back("Durable Name", config.durable_name);
  if (!config.description.empty()) settings.emplace_back("Description", config.description);
  if (is_pull(config)) {
    settings.emplace_back("Pull Mode", "true");
  } else {
    settings.emplace_back("Delivery Subject", config.deliver_subject);
    if (!config.deliver_group.empty()) settings.emplace_back("Deliver Group", config.deliver_group);
  }
  if (!config.filter_subject.empty()) settings.emplace_back("Filter Subject", config.filter_subject);
  settings.emplace_back("Deliver Policy", deliver_policy_text(config));
  settings.emplace_back("Ack Policy", name_of(config.ack_policy, {{js::AckPolicy::kNone, "None"},
                                                                  {js::AckPolicy::kAll, "All"},
                                                                  {js::AckPolicy::kExplicit, "Explicit"}}));
  if (config.ack_policy != js::AckPolicy::kNone)
    settings.emplace_back("Ack Wait", format_duration(config.ack_wait));
  settings.emplace_back("Replay Policy",
                        config.replay_policy == js::ReplayPolicy::kInstant ? "Instant" : "Original");
  settings.emplace_back("Maximum Deliveries", format_limit(config.max_deliver));
  settings.emplace_back("Max Ack Pending", format_limit(config.max_ack_pending));
  if (is_pull(config)) {
    settings.emplace_back("Max Waiting Pulls", format_limit(config.max_waiting));
  } else {
    if (config.idle_heartbeat.count() > 0) {
      settings.emplace_back("Idle Heartbeat", format_duration(config.idle_heartbeat));
    }
    settings.emplace_back("Flow Control", config.flow_control ? "true" : "false");
  }

  Fields state = {
      {"Last Delivered Message", sequences(info.delivered)},
      {"Acknowledgment Floor", sequences(info.ack_floor)},
      {"Outstanding Acks", std::to_string(info.num_ack_pending)},
      {"Redelivered Messages", std::to_string(info.num_redelivered)},
      {"Unprocessed Messages", std::to_string(info.num_pending)},
  };
  if (is_pull(config)) state.emplace_back("Waiting Pulls", std::to_string(info.num_waiting));
  return "Consumer " + info.name + " on stream " + info.stream_name + " created " +
         format_time(info.created) + "\n\n" + format_section("Configuration", settings) +
         format_section("State", state);
}

// --deliver: a policy by name, a start sequence, or how far back in time to start ("1h").
void set_deliver(js::ConsumerConfig& config, const std::string& text) {
  const std::pair<const char*, js::DeliverPolicy> policies[] = {
      {"all", js::DeliverPolicy::kAll},
      {"last", js::DeliverPolicy::kLast},
      {"new", js::DeliverPolicy::kNew},
      {"last_per_subject", js::DeliverPolicy::kLastPerSubject},
      {"subject", js::DeliverPolicy::kLastPerSubject},
  };
  for (const auto& [word, policy] : policies) {
    if (text == word) {
      config.deliver_policy = policy;
      return;
    }
  }
  std::uint64_t sequence = 0;
  const char* end = text.data() + text.size();
  if (const auto [rest, ec] = std::from_chars(text.data(), end, sequence);
      ec == std::errc() && rest == end && sequence > 0) {
    config.deliver_policy = js::DeliverPolicy::kByStartSequence;
    config.opt_start_seq = sequence;
    return;
  }
  // A bare number is a sequence above, so a duration here must carry its unit.
  if (!text.empty() && std::isalpha(static_cast<unsigned char>(text.back()))) {
    if (const auto ago = parse_duration(text, DurationKind::kLimit)) {
      config.deliver_policy = js::DeliverPolicy::kByStartTime;
      config.opt_start_time =
          std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now()) - *ago;
      return;
    }
  }
  throw CLI::ValidationError("--deliver",
                             "expected all, last, new, last_per_subject, a start sequence or a "
                             "time back from now such as 1h, got \"" +
                                 text + "\"");
}

void add_config_options(CLI::App* add, ConsumerArgs& args) {
  js::ConsumerConfig& config = args.config;
  CLI::Option* pull = add->add_flag("--pull")->description("Make a pull consumer (the default)");
  add->add_option("--target", config.deliver_subject, "Make a push consumer delivering to this subject")
      ->excludes(pull);
  add_choice_option(
      add, "--ack", config.ack_policy,
      {{"explicit", js::AckPolicy::kExplicit}, {"all", js::AckPolicy::kAll}, {"none", js::AckPolicy::kNone}},
      "Acknowledgement policy (default explicit)");
  add->add_option_function<std::string>(
         "--deliver", [&config](const std::string& text) { set_deliver(config, text); },
         "Where to start: all (default), last, new, last_per_subject, a sequence, or a time back like 1h")
      ->type_name("POLICY");
  add->add_option("--filter", config.filter_subject, "Only messages on this subject");
  add->add_option("--max-deliver", config.max_deliver, "Maximum deliveries of one message (-1 unlimited)");
  add_duration_option(add, "--wait", config.ack_wait, "How long the server waits for an ack (default 30s)",
                      DurationKind::kLimit);
  add->add_option("--max-pending", config.max_ack_pending, "Maximum messages awaiting their ack");
  add_duration_option(add, "--heartbeat", config.idle_heartbeat, "Idle heartbeat of a push consumer",
                      DurationKind::kLimit);
  add->add_flag("--flow-control", config.flow_control, "Flow control of a push consumer");
  add_choice_option(add, "--replay", config.replay_policy,
                    {{"instant", js::ReplayPolicy::kInstant}, {"original", js::ReplayPolicy::kOriginal}},
                    "Replay at once or at the original pace (default instant)");
  add->add_option("--deliver-group", config.deliver_group, "Queue group of a push consumer's subscribers");
  add->add_option("--description", config.description, "Description");
}

int list_consumers(js::JetStream& jets, const ConsumerArgs& args) {
  auto consumers = jets.consumers(args.stream);
  if (!consumers)
    return report_failure("cannot list the consumers of stream " + args.stream, consumers.error());
  std::sort(consumers->begin(), consumers->end(),
            [](const js::ConsumerInfo& a, const js::ConsumerInfo& b) { return a.name < b.name; });
  if (consumers->empty()) {
    std::cerr << "No consumers on stream " << args.stream << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  if (!args.names_only) rows.push_back({"Consumer", "Mode", "Ack Pending", "Unprocessed"});
  for (const js::ConsumerInfo& info : *consumers) {
    if (args.names_only) {
      rows.push_back({info.name});
    } else {
      rows.push_back({info.name, is_pull(info.config) ? "pull" : "push", std::to_string(info.num_ack_pending),
                      std::to_string(info.num_pending)});
    }
  }
  write_out(format_table(rows));
  return kExitOk;
}

// Fetches until `count` messages came or the timeout passed, printing (and acking) each.
int next_messages(js::JetStream& jets, const ConsumerArgs& args) {
  const std::string what = "consumer " + args.name + " on stream " + args.stream;
  auto consumer = jets.pull_consumer(args.stream, args.name);
  if (!consumer) {
    if (consumer.error() == client::Errc::kInvalidArgument) {
      std::cerr << "tern: " << what << " is a push consumer: next reads pull consumers\n";
      return kExitFailure;
    }
    return report_failure("cannot read " + what, consumer.error());
  }
  const auto deadline = std::chrono::steady_clock::now() + args.timeout;
  std::uint64_t received = 0;
  while (received < args.count) {
    js::FetchOptions fetch;
    fetch.expires =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (fetch.expires.count() < 1) break;
    auto batch = consumer->fetch(args.count - received, fetch);
    if (!batch) return report_failure("cannot fetch from " + what, batch.error());
    for (js::Message& message : *batch) {
      const auto& metadata = message.metadata();
      const std::string detail =
          metadata ? "(stream sequence " + std::to_string(metadata->stream_sequence) + ")" : "";
      print_received(++received, message.subject(), detail, message.headers(), message.data());
      if (args.no_ack) continue;
      // Waits for the server to have the ack, so that the consumer's state has moved on when tern exits.
      if (const std::error_code error = message.ack_sync()) {
        return report_failure("cannot acknowledge message " + std::to_string(received), error);
      }
    }
  }
  if (received < args.count) {
    std::cerr << "tern: "
              << (received == 0 ? "no" : std::to_string(received) + " of " + std::to_string(args.count))
              << " messages arrived within " << format_duration(args.timeout) << "\n";
    return kExitTimeout;
  }
  return kExitOk;
}

}  // namespace

CLI::App* add_consumer_commands(CLI::App& app, ConsumerArgs& args) {
  CLI::App* group = app.add_subcommand("consumer", "Manage JetStream consumers and read from them");
  group->alias("con");
  group->require_subcommand(1);
  auto add_names = [&args](CLI::App* command) {
    command->add_option("stream", args.stream, "Stream name")->required();
    command->add_option("name", args.name, "Consumer name")->required();
  };

  CLI::App* add =
      add_action(group, "add", "Create a durable consumer and print it", args, ConsumerAction::kAdd);
  add_names(add);
  add_config_options(add, args);

  CLI::App* ls = add_action(group, "ls", "List a stream's consumers", args, ConsumerAction::kList);
  ls->alias("list");
  ls->add_option("stream", args.stream, "Stream name")->required();
  ls->add_flag("-n,--names", args.names_only, "Print only the names");

  CLI::App* info =
      add_action(group, "info", "Print a consumer's configuration and state", args, ConsumerAction::kInfo);
  add_names(info);

  CLI::App* rm = add_action(group, "rm", "Delete a consumer", args, ConsumerAction::kRemove);
  rm->alias("delete");
  add_names(rm);
  add_force_flag(rm);

  CLI::App* next = add_action(group, "next", "Fetch messages from a pull consumer, acking each", args,
                              ConsumerAction::kNext);
  add_names(next);
  next->add_option("--count", args.count, "How many messages to fetch (default 1)")
      ->check(count_of_at_least(1));
  next->add_flag("--no-ack", args.no_ack, "Leave the messages unacknowledged");
  add_duration_option(next, "--timeout", args.timeout, "How long to wait for the messages (default 5s)");
  return group;
}

int run_consumer(const client::Options& options, const ConsumerArgs& args) {
  auto client = connect_or_report(options);
  if (!client) return kExitFailure;
  js::JetStream jets(*client);
  const std::string what = "consumer " + args.name + " on stream " + args.stream;
  switch (args.action) {
    case ConsumerAction::kAdd: {
      js::ConsumerConfig config = args.config;
      config.durable_name = args.name;
      auto created = jets.add_consumer(args.stream, config);
      if (!created) return report_failure("cannot add " + what, created.error());
      write_out(describe_consumer(*created));
      return kExitOk;
    }
    case ConsumerAction::kList:
      return list_consumers(jets, args);
    case ConsumerAction::kInfo: {
      auto info = jets.consumer_info(args.stream, args.name);
      if (!info) return report_failure("cannot get " + what, info.error());
      write_out(describe_consumer(*info));
      return kExitOk;
    }
    case ConsumerAction::kRemove:
      if (const std::error_code error = jets.delete_consumer(args.stream, args.name)) {
        return report_failure("cannot delete " + what, error);
      }
      write_out("Deleted " + what + "\n");
      return kExitOk;
    case ConsumerAction::kNext:
      return next_messages(jets, args);
  }
  return kExitFailure;
}

}  // namespace tern::cli
