#include "bench/tools/server_address.h"

#include <charconv>
#include <stdexcept>

namespace tern::bench {

ServerAddress parse_server_url(std::string_view url) {
  const std::string original(url);
  if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
    if (url.substr(0, scheme) != "nats")
      throw std::invalid_argument("only nats:// URLs are supported: " + original);
    url.remove_prefix(scheme + 3);
  }
  if (url.find_first_of("@/") != std::string_view::npos) {
    throw std::invalid_argument("a server URL is nats://host:port: " + original);
  }
  ServerAddress address;
  const auto colon = url.rfind(':');
  address.host = std::string(url.substr(0, colon));
  if (colon != std::string_view::npos) {
    const std::string_view digits = url.substr(colon + 1);
    unsigned port = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (error != std::errc() || end != digits.data() + digits.size() || port == 0 || port > 65535) {
      throw std::invalid_argument("bad port in server URL: " + original);
    }
    address.port = static_cast<std::uint16_t>(port);
  }
  if (address.host.empty() || address.host == "localhost") address.host = "127.0.0.1";
  return address;
}

}  // namespace tern::bench
