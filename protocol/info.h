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
  std::uint64_t client_id = 0;  // Left out when zero.
  std::string client_ip;        // Left out when empty.
  std::string nonce;            // Left out when empty.
  std::vector<std::string> connect_urls;
  bool lame_duck_mode = false;
};

// Appends `INFO {...} \r\n` with nats-server's field order: a field that does not apply is left out,
// never sent as false. Note the blank before CRLF, which nats-server sends too.
void append_info(std::string& out, const ServerInfo& info);

// Parses the JSON argument of INFO (the client side). Unknown keys are ignored. Returns false when the
// text is not a JSON object or a known key has a value of the wrong type.
bool parse_info(std::string_view json, ServerInfo& out);

}  // namespace tern::protocol
