#include "protocol/info.h"

#include <span>

#include <simdjson.h>

#include "protocol/connect.h"

namespace tern::protocol {

namespace {

// Writes `"name":value` pairs, with a comma before every pair but an object's first.
class JsonFieldWriter {
 public:
  // `first` says whether the next pair opens the object (no comma before it).
  JsonFieldWriter(std::string& out, bool first) : out_(out), first_(first) {}

  void string(std::string_view name, std::string_view value) {
    key(name);
    append_json_string(out_, value);
  }
  void number(std::string_view name, std::uint64_t value) {
    key(name);
    out_.append(std::to_string(value));
  }
  void boolean(std::string_view name, bool value) {
    key(name);
    out_.append(value ? "true" : "false");
  }
  void strings(std::string_view name, std::span<const std::string> values) {
    key(name);
    out_.push_back('[');
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i != 0) out_.push_back(',');
      append_json_string(out_, values[i]);
    }
    out_.push_back(']');
  }

 private:
  void key(std::string_view name) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.append("\"").append(name).append("\":");
  }

  std::string& out_;
  bool first_;
};

// The fields nats-server writes after max_payload. Everything here is Go's `omitempty`.
struct InfoTail {
  std::uint64_t client_id = 0;
  std::string_view client_ip = {};
  std::string_view nonce = {};
  std::span<const std::string> connect_urls = {};
  bool lame_duck_mode = false;
};

void append_info_head(std::string& out, const ServerInfo& info) {
  out.append("INFO {");
  JsonFieldWriter fields(out, /*first=*/true);
  fields.string("server_id", info.server_id);
  fields.string("server_name", info.server_name);
  fields.string("version", info.version);
  fields.number("proto", static_cast<std::uint64_t>(info.proto));
  fields.string("go", info.go);
  fields.string("host", info.host);
  fields.number("port", static_cast<std::uint64_t>(info.port));
  fields.boolean("headers", info.headers);
  if (info.auth_required) fields.boolean("auth_required", true);
  if (info.tls_required) fields.boolean("tls_required", true);
  fields.number("max_payload", static_cast<std::uint64_t>(info.max_payload));
  if (info.jetstream) fields.boolean("jetstream", true);
}

// Precondition: `out` ends with what append_info_head wrote.
void append_info_tail(std::string& out, const InfoTail& tail) {
  JsonFieldWriter fields(out, /*first=*/false);
  if (tail.client_id != 0) fields.number("client_id", tail.client_id);
  if (!tail.client_ip.empty()) fields.string("client_ip", tail.client_ip);
  if (!tail.nonce.empty()) fields.string("nonce", tail.nonce);
  if (!tail.connect_urls.empty()) fields.strings("connect_urls", tail.connect_urls);
  if (tail.lame_duck_mode) fields.boolean("ldm", true);
  out.append("} \r\n");
}

}  // namespace

void append_info(std::string& out, const ServerInfo& info) {
  append_info_head(out, info);
  append_info_tail(out, {.client_id = info.client_id,
                         .client_ip = info.client_ip,
                         .nonce = info.nonce,
                         .connect_urls = info.connect_urls,
                         .lame_duck_mode = info.lame_duck_mode});
}

std::string info_prefix(const ServerInfo& info) {
  std::string prefix;
  append_info_head(prefix, info);
  return prefix;
}

void append_info_line(std::string& out, std::string_view prefix, const InfoConnectionFields& connection) {
  out.append(prefix);
  append_info_tail(out, {.client_id = connection.client_id,
                         .client_ip = connection.client_ip,
                         .lame_duck_mode = connection.lame_duck_mode});
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
    else if (key == "jetstream")
      boolean(out.jetstream);
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
