// Standard base64 with padding (RFC 4648, section 4), the form Go's encoding/json gives a []byte: the
// JetStream API carries message headers and payloads this way (STREAM.MSG.GET), which the server writes
// and the client reads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tern::protocol {

std::string base64_encode(std::string_view bytes);

// The bytes of `text`, or nullopt when it is not what base64_encode writes: a length that is not a
// multiple of four, a byte outside the alphabet, or '=' anywhere but as one or two final padding bytes.
// Like Go's base64.StdEncoding, it ignores the unused low bits of the last group.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace tern::protocol
