#include "server/jetstream/stream_config_check.h"

#include <set>

#include "server/jetstream/subjects.h"

namespace tern::server::jetstream {

namespace {

constexpr std::int64_t kMaxReplicas = 5;  // StreamMaxReplicas
constexpr std::int64_t kMinWindowNs = 100'000'000;

ApiError invalid(std::string_view text) {
  return api_errors::stream_invalid_config(text);
}

// isValidName: not empty, no whitespace and none of ".*>".
bool is_valid_name(std::string_view name) {
  if (name.empty()) return false;
  return name.find_first_of(" \t\r\n\f.*>") == std::string_view::npos;
}

bool has_sources(const StreamConfig& config) {
  return config.sources && !config.sources->empty();
}

std::optional<ApiError> check_subjects(StreamConfig& config) {
  if (config.subjects.empty()) {
    if (!config.mirror && !has_sources(config)) config.subjects.push_back(config.name);
  } else {
    if (config.mirror) return api_errors::mirror_with_subjects();
    std::set<std::string_view> seen;
    for (const auto& subject : config.subjects) {
      if (!seen.insert(subject).second) return invalid("duplicate subjects detected");
      if (subject_is_subset_match(subject, "$JS.API.>"))
        return invalid("subjects overlap with jetstream api");
      if (!is_valid_subject(subject)) return invalid("invalid subject");
    }
  }
  if (config.subjects.empty() && !has_sources(config) && !config.mirror) {
    return invalid("stream needs at least one configured subject or be a source/mirror");
  }
  if (config.subjects.size() > 1) {
    for (const auto& subject : config.subjects) {
      for (const auto& other : config.subjects) {
        if (other != subject && subjects_collide(other, subject)) {
          return invalid("subject " + go_quote(subject) + " overlaps with " + go_quote(other));
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<ApiError> check_republish(StreamConfig& config) {
  if (!config.republish) return std::nullopt;
  if (config.republish->source.empty()) config.republish->source = ">";
  bool source_valid = false;
  for (const auto& subject : config.subjects) {
    if (subjects_collide(config.republish->source, subject)) source_valid = true;
  }
  if (!source_valid) {
    return invalid("stream configuration for republish source is not valid subset of subjects");
  }
  for (const auto& subject : config.subjects) {
    if (subjects_collide(config.republish->destination, subject)) {
      return invalid("stream configuration for republish destination forms a cycle");
    }
  }
  // newTransform's checks, in short: both sides valid subjects.
  if (!is_valid_subject(config.republish->source) || !is_valid_subject(config.republish->destination)) {
    return invalid("stream configuration for republish not valid");
  }
  return std::nullopt;
}

}  // namespace

std::string go_quote(std::string_view text) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          out += "\\x";
          out.push_back(kHex[byte >> 4]);
          out.push_back(kHex[byte & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

std::optional<ApiError> check_stream_config(StreamConfig& config) {
  if (!is_valid_name(config.name)) {
    return invalid("stream name is required and can not contain '.', '*', '>'");
  }
  if (config.name.size() > kMaxStreamNameLength) {
    return invalid("stream name is too long, maximum allowed is " + std::to_string(kMaxStreamNameLength));
  }
  if (config.description.size() > kMaxStreamDescriptionLength) {
    return invalid("stream description is too long, maximum allowed is " +
                   std::to_string(kMaxStreamDescriptionLength));
  }
  if (config.storage == StorageType::kUnset) config.storage = StorageType::kFile;
  if (config.num_replicas == 0) config.num_replicas = 1;
  if (config.num_replicas > kMaxReplicas)
    return invalid("maximum replicas is " + std::to_string(kMaxReplicas));
  if (config.num_replicas < 0) return api_errors::replicas_count_negative();
  if (config.max_msgs == 0) config.max_msgs = -1;
  if (config.max_msgs_per_subject == 0) config.max_msgs_per_subject = -1;
  if (config.max_bytes == 0) config.max_bytes = -1;
  if (config.max_msg_size == 0) config.max_msg_size = -1;
  if (config.max_consumers == 0) config.max_consumers = -1;
  if (config.duplicate_window_ns == 0 && !config.mirror) {
    // A negative max_age lands here too and is refused just below, as in nats-server.
    config.duplicate_window_ns = (config.max_age_ns != 0 && config.max_age_ns < kDefaultDuplicateWindowNs)
                                     ? config.max_age_ns
                                     : kDefaultDuplicateWindowNs;
  }
  if (config.max_age_ns > 0 && config.max_age_ns < kMinWindowNs)
    return invalid("max age needs to be >= 100ms");
  if (config.duplicate_window_ns < 0) return invalid("duplicates window can not be negative");
  if (config.max_age_ns != 0 && config.duplicate_window_ns > config.max_age_ns) {
    return invalid("duplicates window can not be larger then max age");
  }
  if (config.duplicate_window_ns > 0 && config.duplicate_window_ns < kMinWindowNs) {
    return invalid("duplicates window needs to be >= 100ms");
  }
  if (config.deny_purge && config.allow_rollup_hdrs) return invalid("roll-ups require the purge permission");
  if (config.discard_new_per_subject) {
    if (config.discard != DiscardPolicy::kNew) {
      return invalid("discard new per subject requires discard new policy to be set");
    }
    if (config.max_msgs_per_subject <= 0) {
      return invalid("discard new per subject requires max msgs per subject > 0");
    }
  }
  // The mirror and source checks that need no other stream. Those against the origin streams (message
  // size, filter overlap, cycles, external prefixes) are moot: ternd refuses mirrors and sources.
  if (config.mirror) {
    if (!config.subjects.empty()) return api_errors::mirror_with_subjects();
    if (has_sources(config)) return api_errors::mirror_with_sources();
  }
  if (auto error = check_subjects(config)) return error;
  return check_republish(config);
}

std::optional<ApiError> prepare_stream_create(std::string_view stream_in_subject, StreamConfig& config) {
  if (stream_in_subject != config.name) return api_errors::stream_mismatch();
  if (config.name.find_first_of("\\/") != std::string::npos) {
    return api_errors::stream_name_contains_path_separators();
  }
  if (config.sealed) return invalid("stream configuration for create can not be sealed");
  if (config.mirror_direct && !config.mirror)
    return invalid("stream has no mirror but does have mirror direct");
  if (auto error = check_stream_config(config)) return error;
  if (config.num_replicas > 1) return api_errors::replicas_not_supported();
  return std::nullopt;
}

std::optional<ApiError> check_stream_create_supported(const StreamConfig& config) {
  if (!config.template_owner.empty()) return api_errors::stream_create("stream not owned by template");
  if (config.mirror || has_sources(config)) return invalid("mirrors and sources are not supported");
  if (config.republish) return invalid("republish is not supported");
  return std::nullopt;
}

std::optional<ApiError> prepare_stream_update(std::string_view stream_in_subject, StreamConfig& config) {
  if (auto error = check_stream_config(config)) return error;
  if (stream_in_subject != config.name) return api_errors::stream_mismatch();
  return std::nullopt;
}

std::optional<ApiError> check_stream_update(const StreamConfig& current, StreamConfig& updated) {
  if (updated.name != current.name) return invalid("stream configuration name must match original");
  if (updated.max_consumers != current.max_consumers) {
    return invalid("stream configuration update can not change MaxConsumers");
  }
  if (updated.storage != current.storage)
    return invalid("stream configuration update can not change storage type");
  if (updated.retention != current.retention) {
    return invalid("stream configuration update can not change retention policy");
  }
  if (!current.template_owner.empty()) {
    return invalid("stream configuration update not allowed on template owned stream");
  }
  if (!updated.template_owner.empty()) {
    return invalid("stream configuration update can not be owned by a template");
  }
  if (!updated.sealed && current.sealed) {
    return invalid("stream configuration update can not unseal a sealed stream");
  }
  if (!updated.deny_delete && current.deny_delete) {
    return invalid("stream configuration update can not cancel deny message deletes");
  }
  if (!updated.deny_purge && current.deny_purge) {
    return invalid("stream configuration update can not cancel deny purge");
  }
  if (updated.mirror != current.mirror) return api_errors::mirror_not_updatable();
  if (updated.republish != current.republish) {
    return invalid("stream configuration update can not change RePublish");
  }
  if (updated.sealed) {
    updated.max_age_ns = 0;
    updated.discard = DiscardPolicy::kNew;
    updated.deny_delete = true;
    updated.deny_purge = true;
    updated.allow_rollup_hdrs = false;
  }
  if (has_sources(updated)) return invalid("mirrors and sources are not supported");
  return std::nullopt;
}

}  // namespace tern::server::jetstream
