// The CONNECT op's JSON: parsing on the server, writing on the client.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tern::protocol {

// The fields of CONNECT that Tern reads. verbose, pedantic and echo default to true when absent, as in
// nats-server; a JSON null leaves a field at its default.
struct ConnectOptions {
  bool verbose = true;
  bool pedantic = true;
  bool echo = true;
  bool tls_required = false;
  bool headers = false;
  bool no_responders = false;
  std::int64_t protocol = 0;
  std::string auth_token;
  std::string user;
  std::string pass;
  std::string nkey;
  std::string jwt;
  std::string sig;
  std::string name;
  std::string lang;
  std::string version;
};

enum class ConnectParseError : std::uint8_t {
  kNone,
  kMalformed,  // Not a single JSON object, or a known key with a value of the wrong type.
};

// Parses the JSON argument of CONNECT. Keys match case-insensitively and a later duplicate wins, as
// with Go's encoding/json; unknown keys are ignored. The text is copied into padded storage first,
// so it may be a view into a read buffer.
ConnectParseError parse_connect(std::string_view json, ConnectOptions& out);

// Appends `CONNECT {...}\r\n` for these options (the client side). Empty strings are left out.
void append_connect(std::string& out, const ConnectOptions& options);

// Appends `s` as a JSON string literal, quotes included, with the bytes Go's json.Marshal writes (so
// INFO is nats-server's byte for byte): <, >, &, U+2028 and U+2029 are escaped too, and a byte that
// does not start valid UTF-8 becomes \ufffd.
void append_json_string(std::string& out, std::string_view s);

}  // namespace tern::protocol
