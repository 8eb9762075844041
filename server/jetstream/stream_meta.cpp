#include "server/jetstream/stream_meta.h"

#include <simdjson.h>

namespace tern::server::jetstream {

std::string encode_stream_meta(const StreamConfig& config, std::int64_t created_ns) {
  monitor::JsonWriter json(monitor::JsonWriter::Style::kCompact);
  write_stream_config(json, config);
  std::string config_text = json.take();
  // config_text is a JSON object: `{` then its members.
  return "{\"created_ns\":" + std::to_string(created_ns) + (config_text.size() > 2 ? "," : "") +
         config_text.substr(1) + "\n";
}

std::optional<StreamMeta> decode_stream_meta(std::string_view text, std::string& error) {
  StreamMeta meta;
  if (std::optional<ApiError> config_error = parse_stream_config(text, meta.config)) {
    error = "meta.json: " + config_error->description;
    return std::nullopt;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) {
    error = "meta.json is not JSON";
    return std::nullopt;
  }
  std::int64_t created = 0;
  if (root["created_ns"].get_int64().get(created) != simdjson::SUCCESS) {
    error = "meta.json has no created_ns";
    return std::nullopt;
  }
  meta.created_ns = created;
  if (meta.config.name.empty()) {
    error = "meta.json names no stream";
    return std::nullopt;
  }
  return meta;
}

stream::StoreLimits store_limits(const StreamConfig& config) {
  stream::StoreLimits limits;
  limits.max_msgs = config.max_msgs;
  limits.max_bytes = config.max_bytes;
  limits.max_age_ns = config.max_age_ns;
  limits.max_msgs_per_subject = config.max_msgs_per_subject;
  return limits;
}

std::unique_ptr<stream::StreamStore> open_stream_store(const StreamConfig& config, const std::string& dir,
                                                       std::int64_t now_ns, stream::RecoveryReport& report,
                                                       stream::StoreError& error) {
  if (config.storage == StorageType::kMemory) return stream::make_memory_store(store_limits(config));
  stream::FileStoreOptions options;
  options.directory = dir;
  options.limits = store_limits(config);
  const bool deletes_inside = config.max_msgs_per_subject > 0 || config.retention != RetentionPolicy::kLimits;
  options.segment_bytes = deletes_inside ? 4ull << 20 : 64ull << 20;
  return stream::open_file_store(options, now_ns, report, error);
}

}  // namespace tern::server::jetstream
