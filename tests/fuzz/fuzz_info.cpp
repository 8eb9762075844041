// libFuzzer target: the INFO JSON as the client library reads it. parse_info must not crash on any text,
// and whatever it accepts, within the values a server writes (no negative numbers), must come back
// unchanged through append_info, the op parser and parse_info.
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/info.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using tern::protocol::ServerInfo;

bool same_info(const ServerInfo& a, const ServerInfo& b) {
  return a.server_id == b.server_id && a.server_name == b.server_name && a.version == b.version &&
         a.proto == b.proto && a.go == b.go && a.host == b.host && a.port == b.port &&
         a.headers == b.headers && a.auth_required == b.auth_required && a.tls_required == b.tls_required &&
         a.max_payload == b.max_payload && a.client_id == b.client_id && a.client_ip == b.client_ip &&
         a.nonce == b.nonce && a.connect_urls == b.connect_urls && a.lame_duck_mode == b.lame_duck_mode;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  ServerInfo info;
  if (!tern::protocol::parse_info(json, info)) return 0;
  // append_info writes numbers unsigned: a negative value is outside what a server sends.
  if (info.proto < 0 || info.port < 0 || info.max_payload < 0) return 0;

  std::string line;
  tern::protocol::append_info(line, info);
  const std::string json_again = tern::fuzz::only_op_argument(line, tern::protocol::Direction::kFromServer,
                                                              tern::protocol::OpKind::kInfo);
  ServerInfo again;
  FUZZ_CHECK(tern::protocol::parse_info(json_again, again));
  FUZZ_CHECK(same_info(info, again));
  return 0;
}
