// libFuzzer target: the CONNECT JSON. Byte 0 picks the mode:
//   even: the rest is CONNECT's argument as a client might send it. parse_connect must not crash, and what it
//         accepts must come back unchanged through append_connect and parse_connect.
//   odd:  the rest describes ConnectOptions (flags, a protocol number, strings of any bytes). append_connect
//         must write one CONNECT line the op parser reads back whole, and parse_connect must return the
//         same options whenever every string is valid UTF-8 (simdjson rejects invalid UTF-8 by design).
#include <simdjson.h>

#include <string>
#include <string_view>

#include "protocol/connect.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using tern::fuzz::FuzzInput;
using tern::protocol::ConnectOptions;
using tern::protocol::ConnectParseError;

// The fields append_connect writes (it leaves out nkey, jwt and sig, which a client signs separately).
bool same_written_fields(const ConnectOptions& a, const ConnectOptions& b) {
  return a.verbose == b.verbose && a.pedantic == b.pedantic && a.echo == b.echo &&
         a.tls_required == b.tls_required && a.headers == b.headers && a.no_responders == b.no_responders &&
         a.protocol == b.protocol && a.auth_token == b.auth_token && a.user == b.user && a.pass == b.pass &&
         a.name == b.name && a.lang == b.lang && a.version == b.version;
}

bool is_utf8(std::string_view s) {
  return simdjson::validate_utf8(s.data(), s.size());
}

// Writes the options, checks the line is one whole CONNECT op, and returns its JSON argument.
std::string written_json(const ConnectOptions& options) {
  std::string line;
  tern::protocol::append_connect(line, options);
  return tern::fuzz::only_op_argument(line, tern::protocol::Direction::kFromClient,
                                      tern::protocol::OpKind::kConnect);
}

void check_round_trip(const ConnectOptions& options) {
  ConnectOptions again;
  FUZZ_CHECK(tern::protocol::parse_connect(written_json(options), again) == ConnectParseError::kNone);
  FUZZ_CHECK(same_written_fields(options, again));
}

void fuzz_text(std::string_view json) {
  ConnectOptions options;
  if (tern::protocol::parse_connect(json, options) != ConnectParseError::kNone) return;
  // Whatever was accepted came through simdjson, so every string in it is valid UTF-8.
  FUZZ_CHECK(is_utf8(options.auth_token) && is_utf8(options.user) && is_utf8(options.name));
  check_round_trip(options);
}

void fuzz_options(FuzzInput& input) {
  ConnectOptions options;
  const std::uint8_t flags = input.byte();
  options.verbose = (flags & 1) != 0;
  options.pedantic = (flags & 2) != 0;
  options.echo = (flags & 4) != 0;
  options.tls_required = (flags & 8) != 0;
  options.headers = (flags & 16) != 0;
  options.no_responders = (flags & 32) != 0;
  options.protocol = static_cast<std::int16_t>(input.u16());
  std::string* strings[] = {&options.auth_token, &options.user, &options.pass,
                            &options.name,       &options.lang, &options.version};
  bool all_utf8 = true;
  for (std::string* s : strings) {
    s->assign(input.text(input.byte()));
    all_utf8 = all_utf8 && is_utf8(*s);
  }
  const std::string json = written_json(options);
  ConnectOptions again;
  const auto result = tern::protocol::parse_connect(json, again);
  if (all_utf8) {
    FUZZ_CHECK(result == ConnectParseError::kNone);
    FUZZ_CHECK(same_written_fields(options, again));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput input(data, size);
  if (input.byte() % 2 == 0) {
    fuzz_text(input.rest());
  } else {
    fuzz_options(input);
  }
  return 0;
}
