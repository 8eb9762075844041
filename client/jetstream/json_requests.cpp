// The JetStream API's requests as JSON, written as nats.go's encoding/json writes them.
#include <string>

#include "client/jetstream/json_codec.h"
#include "client/jetstream/json_names.h"
#include "protocol/connect.h"

namespace tern::client::jetstream::json {
namespace {

using namespace detail;

// Writes one JSON object's members in the order they are added, as encoding/json writes a struct's
// fields in declaration order, and objects nested in it. The *_if_set members are Go's `omitempty`:
// left out when zero or empty.
class ObjectWriter {
 public:
  ObjectWriter() { out_.push_back('{'); }

  // Opens an object as the member `name`: the members that follow are its own until end_object().
  void begin_object(std::string_view name) {
    member(name);
    out_.push_back('{');
    first_ = true;
  }
  void end_object() {
    out_.push_back('}');
    // The object closed is a member of the one around it, which therefore has a member now.
    first_ = false;
  }
  // Closes the outermost object and hands over the text.
  std::string take() {
    out_.push_back('}');
    return std::move(out_);
  }

  void string(std::string_view name, std::string_view value) {
    member(name);
    protocol::append_json_string(out_, value);
  }
  void boolean(std::string_view name, bool value) {
    member(name);
    out_.append(value ? "true" : "false");
  }
  template <std::integral Integer>
  void number(std::string_view name, Integer value) {
    member(name);
    out_.append(std::to_string(value));
  }
  // Durations are time.Duration on the wire: an integer of nanoseconds.
  void duration(std::string_view name, Nanoseconds value) { number(name, value.count()); }
  void strings(std::string_view name, const std::vector<std::string>& values) {
    member(name);
    out_.push_back('[');
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i != 0) out_.push_back(',');
      protocol::append_json_string(out_, values[i]);
    }
    out_.push_back(']');
  }
  void durations(std::string_view name, const std::vector<Nanoseconds>& values) {
    member(name);
    out_.push_back('[');
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i != 0) out_.push_back(',');
      out_.append(std::to_string(values[i].count()));
    }
    out_.push_back(']');
  }

  void string_if_set(std::string_view name, std::string_view value) {
    if (!value.empty()) string(name, value);
  }
  void flag_if_set(std::string_view name, bool value) {
    if (value) boolean(name, true);
  }
  template <std::integral Integer>
  void number_if_set(std::string_view name, Integer value) {
    if (value != 0) number(name, value);
  }
  void duration_if_set(std::string_view name, Nanoseconds value) {
    if (value != Nanoseconds::zero()) duration(name, value);
  }
  void strings_if_set(std::string_view name, const std::vector<std::string>& values) {
    if (!values.empty()) strings(name, values);
  }
  void durations_if_set(std::string_view name, const std::vector<Nanoseconds>& values) {
    if (!values.empty()) durations(name, values);
  }

 private:
  void member(std::string_view name) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_.append(name).append("\":");
  }

  std::string out_;
  bool first_ = true;
};

// nats.go's ConsumerConfig, field for field in its order.
void write_consumer_config(ObjectWriter& fields, const ConsumerConfig& config) {
  fields.string_if_set("durable_name", config.durable_name);
  fields.string_if_set("name", config.name);
  fields.string_if_set("description", config.description);
  fields.string("deliver_policy", name_of(config.deliver_policy, kDeliverNames));
  fields.number_if_set("opt_start_seq", config.opt_start_seq);
  if (config.opt_start_time) fields.string("opt_start_time", format_rfc3339(*config.opt_start_time));
  fields.string("ack_policy", name_of(config.ack_policy, kAckNames));
  fields.duration_if_set("ack_wait", config.ack_wait);
  fields.number_if_set("max_deliver", config.max_deliver);
  fields.durations_if_set("backoff", config.backoff);
  fields.string_if_set("filter_subject", config.filter_subject);
  fields.string("replay_policy", name_of(config.replay_policy, kReplayNames));
  fields.number_if_set("rate_limit_bps", config.rate_limit_bps);
  fields.string_if_set("sample_freq", config.sample_frequency);
  fields.number_if_set("max_waiting", config.max_waiting);
  fields.number_if_set("max_ack_pending", config.max_ack_pending);
  fields.flag_if_set("flow_control", config.flow_control);
  fields.duration_if_set("idle_heartbeat", config.idle_heartbeat);
  fields.flag_if_set("headers_only", config.headers_only);
  fields.number_if_set("max_batch", config.max_request_batch);
  fields.duration_if_set("max_expires", config.max_request_expires);
  fields.number_if_set("max_bytes", config.max_request_max_bytes);
  fields.string_if_set("deliver_subject", config.deliver_subject);
  fields.string_if_set("deliver_group", config.deliver_group);
  fields.duration_if_set("inactive_threshold", config.inactive_threshold);
  fields.number("num_replicas", config.num_replicas);
  fields.flag_if_set("mem_storage", config.memory_storage);
}

}  // namespace

std::string write_stream_config(const StreamConfig& config) {
  ObjectWriter fields;
  fields.string("name", config.name);
  fields.string_if_set("description", config.description);
  fields.strings_if_set("subjects", config.subjects);
  fields.string("retention", name_of(config.retention, kRetentionNames));
  fields.number("max_consumers", config.max_consumers);
  fields.number("max_msgs", config.max_msgs);
  fields.number("max_bytes", config.max_bytes);
  fields.string("discard", name_of(config.discard, kDiscardNames));
  fields.duration("max_age", config.max_age);
  fields.number("max_msgs_per_subject", config.max_msgs_per_subject);
  // nats.go leaves out 0 (omitempty), which the server reads as unlimited like the default -1.
  fields.number_if_set("max_msg_size", config.max_msg_size);
  fields.string("storage", name_of(config.storage, kStorageNames));
  fields.number("num_replicas", config.replicas);
  fields.flag_if_set("no_ack", config.no_ack);
  fields.duration_if_set("duplicate_window", config.duplicate_window);
  fields.flag_if_set("sealed", config.sealed);
  fields.flag_if_set("deny_delete", config.deny_delete);
  fields.flag_if_set("deny_purge", config.deny_purge);
  fields.flag_if_set("allow_rollup_hdrs", config.allow_rollup);
  if (config.republish) {
    fields.begin_object("republish");
    fields.string_if_set("src", config.republish->source);
    fields.string("dest", config.republish->destination);
    fields.flag_if_set("headers_only", config.republish->headers_only);
    fields.end_object();
  }
  fields.boolean("allow_direct", config.allow_direct);
  fields.boolean("mirror_direct", config.mirror_direct);
  return fields.take();
}

std::string write_consumer_create(std::string_view stream, const ConsumerConfig& config) {
  ObjectWriter fields;
  fields.string("stream_name", stream);
  fields.begin_object("config");
  write_consumer_config(fields, config);
  fields.end_object();
  return fields.take();
}

std::string write_purge_request(const PurgeOptions& options) {
  if (options.subject.empty() && options.sequence == 0 && options.keep == 0) return {};
  // nats.go's StreamPurgeRequest: seq, filter, keep, each omitempty.
  ObjectWriter fields;
  fields.number_if_set("seq", options.sequence);
  fields.string_if_set("filter", options.subject);
  fields.number_if_set("keep", options.keep);
  return fields.take();
}

std::string write_paged_request(std::uint64_t offset, std::string_view subject_filter) {
  // nats.go's streamNamesRequest: the offset (omitempty, so {} for the first page), then the subject.
  ObjectWriter fields;
  fields.number_if_set("offset", offset);
  fields.string_if_set("subject", subject_filter);
  return fields.take();
}

std::string write_message_get(std::uint64_t sequence, std::string_view last_by_subject) {
  ObjectWriter fields;
  fields.number_if_set("seq", sequence);
  fields.string_if_set("last_by_subj", last_by_subject);
  return fields.take();
}

std::string write_message_delete(std::uint64_t sequence, bool erase) {
  ObjectWriter fields;
  fields.number("seq", sequence);
  fields.flag_if_set("no_erase", !erase);
  return fields.take();
}

std::string write_pull_request(std::uint64_t batch, Nanoseconds expires, bool no_wait,
                               std::uint64_t max_bytes, Nanoseconds heartbeat) {
  // nats.go's nextRequest, in its order (expires before batch); every member is omitempty, and a
  // negative duration, which means nothing here, is left out like zero.
  ObjectWriter fields;
  if (expires > Nanoseconds::zero()) fields.duration("expires", expires);
  fields.number_if_set("batch", batch);
  fields.flag_if_set("no_wait", no_wait);
  fields.number_if_set("max_bytes", max_bytes);
  if (heartbeat > Nanoseconds::zero()) fields.duration("idle_heartbeat", heartbeat);
  return fields.take();
}

}  // namespace tern::client::jetstream::json
