// What a durable consumer keeps besides its state: its configuration and creation time (meta.json in
// its directory), so that a restart brings it back with the configuration it was created or updated with.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/jetstream/api_error.h"
#include "server/jetstream/consumer_config.h"

namespace tern::server::jetstream {

// meta.json: the configuration as nats-server writes it, with "created_ns" first. The configuration's
// reader ignores the extra member, so the file is also a plain consumer configuration.
std::string encode_consumer_meta(const ConsumerConfig& config, std::int64_t created_ns);

// The reverse; an error (10025 with a description saying what is wrong) for text that is not such a file.
std::optional<ApiError> decode_consumer_meta(std::string_view text, ConsumerConfig& config,
                                             std::int64_t& created_ns);

}  // namespace tern::server::jetstream
