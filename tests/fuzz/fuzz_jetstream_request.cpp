// libFuzzer target: the JetStream API's request bodies (server/jetstream/). Byte 0 picks the mode:
//   even: the rest is a STREAM.CREATE body. parse_stream_config must not crash; a configuration it takes
//         goes through prepare_stream_create, and one that passes is written back (write_stream_config),
//         which must be JSON that parses back into a configuration that writes the same text and passes
//         the checks again unchanged (the CREATE-again comparison that KV relies on needs exactly this), and
//         updating a stream ternd would create to its own configuration must be accepted.
//   odd:  the rest is two bodies split at the first NUL byte: a stream created with the first, updated
//         with the second (prepare_stream_update then check_stream_update). Nothing may crash, and an
//         accepted update must be writable and read back the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/jetstream/go_json.h"
#include "server/jetstream/stream_config.h"
#include "server/jetstream/stream_config_check.h"
#include "server/monitor/json_writer.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

namespace js = tern::server::jetstream;

std::string written(const js::StreamConfig& config) {
  tern::server::monitor::JsonWriter json(tern::server::monitor::JsonWriter::Style::kCompact);
  js::write_stream_config(json, config);
  return json.take();
}

// A validated configuration, written and read back, writes the same text and is still valid. (The text,
// not the structure: Go's omitempty drops an empty "sources":[] or "tags":null on the way out, as
// nats-server's echo does, so the structure read back may differ in just those nil-versus-empty ways.)
void check_written_round_trip(const js::StreamConfig& validated) {
  const std::string text = written(validated);
  FUZZ_CHECK(js::go_json::parse(text).has_value());
  js::StreamConfig again;
  FUZZ_CHECK(!js::parse_stream_config(text, again).has_value());
  FUZZ_CHECK(written(again) == text);
  // Defaults are already filled in, so the checks change nothing that is written.
  FUZZ_CHECK(!js::check_stream_config(again).has_value());
  FUZZ_CHECK(written(again) == text);
}

// The stream name as the subject gives it: the configuration's own (most requests agree with their
// subject), or a fixed one when it is empty, which the checks must refuse or fill consistently.
std::string subject_name(const js::StreamConfig& config) {
  return config.name.empty() ? std::string("FUZZ") : config.name;
}

bool create(std::string_view body, js::StreamConfig& config) {
  (void)js::go_json::is_empty_request(body);
  if (js::parse_stream_config(body, config).has_value()) return false;
  const std::string name = subject_name(config);
  return !js::prepare_stream_create(name, config).has_value();
}

void fuzz_create(std::string_view body) {
  js::StreamConfig config;
  if (!create(body, config)) return;
  check_written_round_trip(config);
  // Only a stream ternd would create exists to be updated (a template owner, a mirror... are refused).
  if (js::check_stream_create_supported(config).has_value()) return;
  js::StreamConfig same = config;
  FUZZ_CHECK(!js::check_stream_update(config, same).has_value());
}

void fuzz_update(std::string_view bodies) {
  const auto split = bodies.find('\0');
  const std::string_view first = bodies.substr(0, split);
  const std::string_view second =
      split == std::string_view::npos ? std::string_view() : bodies.substr(split + 1);
  js::StreamConfig current;
  if (!create(first, current) || js::check_stream_create_supported(current).has_value()) return;
  js::StreamConfig updated;
  if (js::parse_stream_config(second, updated).has_value()) return;
  if (js::prepare_stream_update(current.name, updated).has_value()) return;
  if (js::check_stream_update(current, updated).has_value()) return;
  check_written_round_trip(updated);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tern::fuzz::FuzzInput input(data, size);
  const std::uint8_t mode = input.byte();
  if ((mode & 1) == 0) {
    fuzz_create(input.rest());
  } else {
    fuzz_update(input.rest());
  }
  return 0;
}
