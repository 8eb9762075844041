// Reading JetStream API request bodies as nats-server's json.Unmarshal reads them: object keys match
// struct fields case-insensitively, unknown keys are ignored, a later duplicate key wins, null leaves a
// scalar field as it was, and any value of the wrong type, a fraction or an out-of-range number for an
// integer field is an error (nats-server then answers 10025 "invalid JSON").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace tern::server::jetstream::go_json {

// Parses `body` as one JSON value. The element stays valid until the next parse on this thread (one
// parser per thread, reused). Returns nothing for text that is not JSON, as Go's decoder refuses it
// (an empty body included).
std::optional<simdjson::dom::element> parse(std::string_view body);

// nats-server's isEmptyRequest: no bytes, "{}", or any JSON object without members.
bool is_empty_request(std::string_view body);

// Go's field matching: equal ignoring ASCII case.
bool key_is(std::string_view key, std::string_view field_name) noexcept;

// Each decode leaves `out` unchanged on null and returns false on a value Go would not decode into the
// field's type.
bool decode(simdjson::dom::element value, bool& out);
bool decode(simdjson::dom::element value, std::string& out);
bool decode(simdjson::dom::element value, std::int64_t& out);
bool decode(simdjson::dom::element value, std::uint64_t& out);
// A Go int32 field: an integer within [-2^31, 2^31).
bool decode_int32(simdjson::dom::element value, std::int32_t& out);
// A []string field: null makes it nil (empty here), an array replaces it; a null element is "".
bool decode(simdjson::dom::element value, std::vector<std::string>& out);
// A []string field where nil and empty differ (reflect.DeepEqual tells them apart): null resets it.
bool decode(simdjson::dom::element value, std::optional<std::vector<std::string>>& out);

// Whether a value can be decoded into a struct field: an object, or null (which leaves it as it was).
bool is_object_or_null(simdjson::dom::element value) noexcept;

}  // namespace tern::server::jetstream::go_json
