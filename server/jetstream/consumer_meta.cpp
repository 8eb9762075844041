#include "server/jetstream/consumer_meta.h"

#include <simdjson.h>

#include "server/jetstream/go_json.h"

namespace tern::server::jetstream {

std::string encode_consumer_meta(const ConsumerConfig& config, std::int64_t created_ns) {
  monitor::JsonWriter json(monitor::JsonWriter::Style::kCompact);
  write_consumer_config(json, config);
  const std::string config_text = json.take();
  // config_text is a JSON object with at least deliver_policy in it: `{` then its members.
  return "{\"created_ns\":" + std::to_string(created_ns) + "," + config_text.substr(1) + "\n";
}

std::optional<ApiError> decode_consumer_meta(std::string_view text, ConsumerConfig& config,
                                             std::int64_t& created_ns) {
  auto invalid = [](std::string_view why) {
    ApiError error = api_errors::invalid_json();
    error.description = "consumer meta.json " + std::string(why);
    return error;
  };
  if (parse_consumer_config(text, config)) return invalid("is not a consumer configuration");
  const auto root = go_json::parse(text);
  if (!root || !root->is_object()) return invalid("is not a JSON object");
  std::int64_t created = 0;
  if ((*root)["created_ns"].get_int64().get(created) != simdjson::SUCCESS)
    return invalid("has no created_ns");
  created_ns = created;
  return std::nullopt;
}

}  // namespace tern::server::jetstream
