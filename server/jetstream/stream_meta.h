// What a stream keeps besides its messages: its configuration and creation time (meta.json), and how
// its store is opened from them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/jetstream/stream_config.h"
#include "server/stream/store.h"

namespace tern::server::jetstream {

struct StreamMeta {
  StreamConfig config;
  std::int64_t created_ns = 0;
};

// meta.json: the configuration as nats-server writes it, with "created_ns" first. Go's decoder (and
// ours) ignore the extra member, so the file is also a plain stream configuration.
std::string encode_stream_meta(const StreamConfig& config, std::int64_t created_ns);
std::optional<StreamMeta> decode_stream_meta(std::string_view text, std::string& error);

// The store limits a configuration asks for.
stream::StoreLimits store_limits(const StreamConfig& config);
// Opens (recovering) or creates the store of a stream kept in `dir`: file or memory storage as
// configured, with segments of 64 MiB, or 4 MiB for streams that delete from the middle (per-subject
// limits, work queues, interest), as nats-server sizes its blocks smaller for them.
std::unique_ptr<stream::StreamStore> open_stream_store(const StreamConfig& config, const std::string& dir,
                                                       std::int64_t now_ns, stream::RecoveryReport& report,
                                                       stream::StoreError& error);

}  // namespace tern::server::jetstream
