// The INFO op's JSON: written by the server, parsed by the client.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tern::protocol {

struct ServerInfo {
  std::string server_id;
  std::string server_name;
  std::string version;
  int proto = 1;
  std::string go;  // nats-server's Go version; ours names the build instead.
  std::string host;
  int port = 0;
  bool headers = true;
  bool auth_required = false;
  bool tls_required = false;
  std::int64_t max_payload = 0;
  bool jetstream = false;       // Left out when false; nats-server writes it right after max_payload.
  std::uint64_t client_id = 0;  // Left out when zero.
  std::string client_ip;        // Left out when empty.
  std::string nonce;            // Left out when empty.
  std::vector<std::string> connect_urls;
  bool lame_duck_mode = false;
};

// Appends `INFO {...} \r\n` with nats-server's field order: a field that does not apply is left out,
// never sent as false. Note the blank before CRLF, which nats-server sends too.
void append_info(std::string& out, const ServerInfo& info);

// The server's INFO is the same for every connection up to max_payload; after it nats-server writes
// client_id, client_ip, nonce, connect_urls and ldm, in that order (its Info struct). A server keeps
// the shared part once and finishes it per connection:
//
//   prefix = info_prefix(server_info);                          // at start and on reload
//   append_info_line(out, prefix, {cid, peer_ip});              // on accept
//   append_info_line(out, prefix, {cid, peer_ip, true});        // at lame duck
//
// The bytes are those of append_info for the same fields.

// `INFO {"server_id":...,"max_payload":N`: no trailing comma or brace. Reads only the fields that
// come before client_id; client_id, client_ip, nonce, connect_urls and lame_duck_mode are ignored.
std::string info_prefix(const ServerInfo& info);

// The fields nats-server writes after max_payload for one connection. ternd has neither nkeys nor
// clusters, so the nonce and connect_urls that nats-server could write between client_ip and ldm are
// not here; append_info writes them where a test or a fake server needs them. Every member has a
// default, so an initializer may name only some (GCC's -Wmissing-field-initializers allows that).
struct InfoConnectionFields {
  std::uint64_t client_id = 0;      // Left out when zero (nats-server's first client gets 4).
  std::string_view client_ip = {};  // The peer address as text; left out when empty.
  bool lame_duck_mode = false;      // "ldm":true, in the INFO sent when the server enters lame duck.
};

// Precondition: `prefix` is what info_prefix returned. Appends the whole line, `prefix`, then the
// connection's fields, then `} \r\n`.
void append_info_line(std::string& out, std::string_view prefix, const InfoConnectionFields& connection);

// Parses the JSON argument of INFO (the client side). Unknown keys are ignored. Returns false when the
// text is not a JSON object or a known key has a value of the wrong type.
bool parse_info(std::string_view json, ServerInfo& out);

}  // namespace tern::protocol
