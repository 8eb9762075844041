// What nats-server 2.9.10 checks and fills in when a stream is created or updated on a standalone
// server (stream.go checkStreamCfg and configUpdateCheck, jetstream_api.go's CREATE and UPDATE handlers),
// with the same error codes and texts, in the same order. Checks that need other streams (subject
// overlap, an existing stream of that name) are the caller's; the functions say where they fit.
#pragma once

#include <optional>
#include <string_view>

#include "server/jetstream/api_error.h"
#include "server/jetstream/stream_config.h"

namespace tern::server::jetstream {

// The longest stream name and description nats-server accepts (JSMaxNameLen, JSMaxDescriptionLen).
inline constexpr std::size_t kMaxStreamNameLength = 255;
inline constexpr std::size_t kMaxStreamDescriptionLength = 4 * 1024;
// StreamDefaultDuplicatesWindow: two minutes.
inline constexpr std::int64_t kDefaultDuplicateWindowNs = 120'000'000'000;

// checkStreamCfg: fills in the defaults (storage file, num_replicas 1, max_* 0 -> -1, duplicate_window
// 2 min or max_age if smaller, subjects [name] when none) and checks names, limits and subjects. On
// error `config` is left partly defaulted and must be dropped. The server option that caps
// duplicate_window (JetStreamLimits.Duplicates) does not exist in ternd and is not applied.
std::optional<ApiError> check_stream_config(StreamConfig& config);

// STREAM.CREATE, from the parsed request to the point where nats-server looks for an existing stream:
// the subject's stream name (10056), path separators (10128), sealed and mirror_direct (10052),
// check_stream_config, then num_replicas > 1 (10074). `config` is the validated configuration after.
// The caller then: if a stream of that name exists, answers success (did_create) when its configuration
// equals `config` and 10058 otherwise; else calls check_stream_create_supported, then refuses subjects
// overlapping another stream's with 10065 (subjects_overlap).
std::optional<ApiError> prepare_stream_create(std::string_view stream_in_subject, StreamConfig& config);

// What a standalone nats-server accepts but ternd does not do, refused as 10052 with a text that says
// so ("mirrors and sources are not supported", "republish is not supported"), and a template owner,
// which can only name a template ternd does not have (10049 "stream not owned by template", as
// nats-server answers for an unknown template).
std::optional<ApiError> check_stream_create_supported(const StreamConfig& config);

// STREAM.UPDATE up to the lookup of the stream: check_stream_config, then the subject's stream name
// (10056). The caller then answers 10059 when there is no such stream, else calls check_stream_update.
std::optional<ApiError> prepare_stream_update(std::string_view stream_in_subject, StreamConfig& config);

// configUpdateCheck against the stream's `current` configuration: what an update may not change
// (name, max_consumers, storage, retention, template, unsealing, deny_delete, deny_purge, mirror 10055,
// republish), then sealing's adjustments (max_age 0, discard new, deny delete and purge, no rollups).
// `updated` is what prepare_stream_update left. The caller then refuses subjects that overlap another
// stream's (10065).
std::optional<ApiError> check_stream_update(const StreamConfig& current, StreamConfig& updated);

// Go's %q of a string, as nats-server's fmt.Errorf texts quote subjects.
std::string go_quote(std::string_view text);

}  // namespace tern::server::jetstream
