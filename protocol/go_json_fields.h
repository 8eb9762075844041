// Reading JSON object members into fields as Go's encoding/json does (nats-server decodes CONNECT and
// the JetStream API's requests with it): keys match field names ignoring ASCII case, and null leaves a
// field as it was. Shared by the CONNECT parser and the server's JetStream request decoding.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace tern::protocol {

// Go's field matching: equal ignoring ASCII case.
bool go_json_key_is(std::string_view key, std::string_view field_name) noexcept;
// Each leaves `out` unchanged on null, and returns false on a value of another type.
bool go_json_read(simdjson::dom::element value, bool& out);
bool go_json_read(simdjson::dom::element value, std::string& out);

}  // namespace tern::protocol
