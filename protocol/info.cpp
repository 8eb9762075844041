#include "protocol/info.h"

#include <simdjson.h>

#include "protocol/connect.h"

namespace tern::protocol {

void append_info(std::string& out, const ServerInfo& info) {
  auto key = [&](const char* name) { out.append("\"").append(name).append("\":"); };
  auto string = [&](const char* name, std::string_view value) {
    key(name);
    append_json_string(out, value);
    out.push_back(',');
  };
  auto number = [&](const char* name, std::uint64_t value) {
    key(name);
    out.append(std::to_string(value)).push_back(',');
  };
  auto flag = [&](const char* name) {
    key(name);
    out.append("true,");
  };
  out.append("INFO {");
  string("server_id", info.server_id);
  string("server_name", info.server_name);
  string("version", info.version);
  number("proto", static_cast<std::uint64_t>(info.proto));
  string("go", info.go);
  string("host", info.host);
  number("port", static_cast<std::uint64_t>(info.port));
  key("headers");
  out.append(info.headers ? "true," : "false,");
  if (info.auth_required) flag("auth_required");
  if (info.tls_required) flag("tls_required");
  number("max_payload", static_cast<std::uint64_t>(info.max_payload));
  if (info.client_id != 0) number("client_id", info.client_id);
  if (!info.client_ip.empty()) string("client_ip", info.client_ip);
  if (!info.nonce.empty()) string("nonce", info.nonce);
  if (!info.connect_urls.empty()) {
    key("connect_urls");
    out.push_back('[');
    for (const auto& url : info.connect_urls) {
      append_json_string(out, url);
      out.push_back(',');
    }
    out.back() = ']';
    out.push_back(',');
  }
  if (info.lame_duck_mode) flag("ldm");
  out.back() = '}';
  out.append(" \r\n");
}

bool parse_info(std::string_view json, ServerInfo& out) {
  const simdjson::padded_string padded(json);
  // Reused per thread, like CONNECT's: a client may send INFO lines at will.
  static thread_local simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(padded).get(object) != simdjson::SUCCESS) return false;
  // Plain variables rather than a structured binding: clang before 16 cannot capture those in lambdas.
  for (auto field : object) {
    const std::string_view key = field.key;
    const simdjson::dom::element value = field.value;
    bool ok = true;
    auto text = [&](std::string& target) {
      std::string_view s;
      ok = value.get_string().get(s) == simdjson::SUCCESS;
      if (ok) target.assign(s);
    };
    auto integer = [&](auto& target) {
      std::int64_t n = 0;
      ok = value.get_int64().get(n) == simdjson::SUCCESS;
      if (ok) target = static_cast<std::remove_reference_t<decltype(target)>>(n);
    };
    auto boolean = [&](bool& target) { ok = value.get_bool().get(target) == simdjson::SUCCESS; };
    if (value.is_null()) continue;
    if (key == "server_id")
      text(out.server_id);
    else if (key == "server_name")
      text(out.server_name);
    else if (key == "version")
      text(out.version);
    else if (key == "proto")
      integer(out.proto);
    else if (key == "go")
      text(out.go);
    else if (key == "host")
      text(out.host);
    else if (key == "port")
      integer(out.port);
    else if (key == "headers")
      boolean(out.headers);
    else if (key == "auth_required")
      boolean(out.auth_required);
    else if (key == "tls_required")
      boolean(out.tls_required);
    else if (key == "max_payload")
      integer(out.max_payload);
    else if (key == "client_id")
      ok = value.get_uint64().get(out.client_id) == simdjson::SUCCESS;
    else if (key == "client_ip")
      text(out.client_ip);
    else if (key == "nonce")
      text(out.nonce);
    else if (key == "ldm")
      boolean(out.lame_duck_mode);
    else if (key == "connect_urls") {
      simdjson::dom::array urls;
      ok = value.get_array().get(urls) == simdjson::SUCCESS;
      if (ok) {
        out.connect_urls.clear();
        for (auto url : urls) {
          std::string_view s;
          if (url.get_string().get(s) != simdjson::SUCCESS) return false;
          out.connect_urls.emplace_back(s);
        }
      }
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace tern::protocol
