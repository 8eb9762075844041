// The protocol parser: every op, every error, and the same result however the input is split.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "protocol/parser.h"

using tern::protocol::Direction;
using tern::protocol::Op;
using tern::protocol::OpKind;
using tern::protocol::ParseError;
using tern::protocol::Parser;
using tern::protocol::ParserLimits;
using tern::protocol::ParseStatus;

namespace {

const char* kind_name(OpKind kind) {
  switch (kind) {
    case OpKind::kConnect:
      return "CONNECT";
    case OpKind::kInfo:
      return "INFO";
    case OpKind::kPub:
      return "PUB";
    case OpKind::kHpub:
      return "HPUB";
    case OpKind::kMsg:
      return "MSG";
    case OpKind::kHmsg:
      return "HMSG";
    case OpKind::kSub:
      return "SUB";
    case OpKind::kUnsub:
      return "UNSUB";
    case OpKind::kPing:
      return "PING";
    case OpKind::kPong:
      return "PONG";
    case OpKind::kOk:
      return "+OK";
    case OpKind::kErr:
      return "-ERR";
  }
  return "?";
}

const char* error_name(ParseError error) {
  switch (error) {
    case ParseError::kNone:
      return "none";
    case ParseError::kUnknownOperation:
      return "unknown-op";
    case ParseError::kMaxControlLineExceeded:
      return "max-control-line";
    case ParseError::kMaxPayloadExceeded:
      return "max-payload";
    case ParseError::kBadArguments:
      return "bad-args";
    case ParseError::kAuthorizationViolation:
      return "auth";
    case ParseError::kHeadersNotSupported:
      return "headers";
  }
  return "?";
}

// One op as a line of text that names every field, so that a comparison covers them all.
std::string describe(const Op& op) {
  std::string s = kind_name(op.kind);
  auto field = [&](const char* name, std::string_view value) {
    if (!value.empty()) s.append(" ").append(name).append("=").append(value);
  };
  field("arg", op.arg);
  field("subject", op.subject);
  field("reply", op.reply);
  field("queue", op.queue);
  field("sid", op.sid);
  field("max", op.max_msgs);
  field("hdr", op.header_size_text);
  field("size", op.total_size_text);
  if (op.header_size >= 0) s += " hdr#=" + std::to_string(op.header_size);
  if (!op.total_size_text.empty()) s += " size#=" + std::to_string(op.total_size);
  if (!op.total_size_text.empty()) s.append(" payload=[").append(op.payload).append("]");
  return s;
}

// Feeds `input` in the given chunk sizes (cycled), copying each chunk into a buffer that is then
// overwritten, so that a view the parser failed to copy shows up as garbage.
std::vector<std::string> parse_chunked(std::string_view input, const std::vector<std::size_t>& sizes,
                                       Direction direction = Direction::kFromClient,
                                       ParserLimits limits = {}) {
  Parser parser(direction, limits);
  std::vector<std::string> events;
  std::string chunk;
  std::size_t offset = 0;
  std::size_t turn = 0;
  while (offset < input.size()) {
    const std::size_t size = std::min(sizes[turn++ % sizes.size()], input.size() - offset);
    chunk.assign(input.substr(offset, size));
    offset += size;
    parser.feed(chunk);
    Op op;
    for (;;) {
      const ParseStatus status = parser.next(op);
      if (status == ParseStatus::kNeedMore) break;
      if (status == ParseStatus::kError) {
        events.push_back(std::string("ERROR ") + error_name(parser.error()));
        return events;
      }
      events.push_back(describe(op));
    }
    chunk.assign(chunk.size(), '#');
  }
  return events;
}

std::vector<std::string> parse_whole(std::string_view input, Direction direction = Direction::kFromClient,
                                     ParserLimits limits = {}) {
  return parse_chunked(input, {input.size() == 0 ? 1 : input.size()}, direction, limits);
}

// Checks that every way of splitting `input` yields the same events as the whole.
void check_split_invariance(std::string_view input, Direction direction = Direction::kFromClient,
                            ParserLimits limits = {}) {
  const auto whole = parse_whole(input, direction, limits);
  INFO("input: " << std::string(input));
  CHECK(parse_chunked(input, {1}, direction, limits) == whole);
  for (std::size_t at = 1; at < input.size(); ++at) {
    Parser parser(direction, limits);
    INFO("split at " << at);
    CHECK(parse_chunked(input, {at, input.size()}, direction, limits) == whole);
  }
  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::size_t> sizes;
    for (int i = 0; i < 8; ++i)
      sizes.push_back(1 + rng() % 7);
    CHECK(parse_chunked(input, sizes, direction, limits) == whole);
  }
}

using Events = std::vector<std::string>;

}  // namespace

TEST_CASE("client ops parse into their fields", "[parser]") {
  CHECK(parse_whole("PUB foo 5\r\nhello\r\n") ==
        Events{"PUB arg=foo 5 subject=foo size=5 size#=5 payload=[hello]"});
  CHECK(parse_whole("PUB foo bar 0\r\n\r\n") ==
        Events{"PUB arg=foo bar 0 subject=foo reply=bar size=0 size#=0 payload=[]"});
  CHECK(
      parse_whole("HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n") ==
      Events{"HPUB arg=foo 12 14 subject=foo hdr=12 size=14 hdr#=12 size#=14 payload=[NATS/1.0\r\n\r\nhi]"});
  CHECK(parse_whole("HPUB foo r 12 12\r\nNATS/1.0\r\n\r\n\r\n") ==
        Events{"HPUB arg=foo r 12 12 subject=foo reply=r hdr=12 size=12 hdr#=12 size#=12 "
               "payload=[NATS/1.0\r\n\r\n]"});
  CHECK(parse_whole("SUB foo 1\r\nSUB foo q 2\r\n") ==
        Events{"SUB arg=foo 1 subject=foo sid=1", "SUB arg=foo q 2 subject=foo queue=q sid=2"});
  CHECK(parse_whole("UNSUB 1\r\nUNSUB 2 10\r\nUNSUB 3 x\r\n") ==
        Events{"UNSUB arg=1 sid=1", "UNSUB arg=2 10 sid=2 max=10", "UNSUB arg=3 x sid=3 max=x"});
  CHECK(parse_whole("PING\r\nPONG\r\n") == Events{"PING", "PONG"});
  CHECK(parse_whole("CONNECT {\"verbose\":false}\r\n") == Events{"CONNECT arg={\"verbose\":false}"});
  CHECK(parse_whole("INFO {}\r\n+OK\r\n-ERR 'x y'\r\n") == Events{"INFO arg={}", "+OK", "-ERR arg='x y'"});
}

TEST_CASE("the grammar follows nats-server's", "[parser]") {
  SECTION("op names are case-insensitive") {
    CHECK(parse_whole("pub foo 1\r\na\r\nPuB foo 1\r\nb\r\nsub x 1\r\nunsub 1\r\nping\r\npong\r\n").size() ==
          6);
    CHECK(parse_whole("connect {}\r\nhpub f 12 12\r\nNATS/1.0\r\n\r\n\r\n").size() == 2);
  }
  SECTION("blanks are spaces or tabs, several allowed") {
    CHECK(parse_whole("PUB\tfoo \t bar\t\t3\r\nabc\r\n") ==
          Events{"PUB arg=foo \t bar\t\t3 subject=foo reply=bar size=3 size#=3 payload=[abc]"});
    CHECK(parse_whole("SUB  foo   1  \r\n") == Events{"SUB arg=foo   1   subject=foo sid=1"});
  }
  SECTION("a bare LF ends a control line") {
    CHECK(parse_whole("PING\nSUB foo 1\nPUB foo 2\nhi\r\n") ==
          Events{"PING", "SUB arg=foo 1 subject=foo sid=1",
                 "PUB arg=foo 2 subject=foo size=2 size#=2 payload=[hi]"});
  }
  SECTION("PING, PONG and +OK ignore the rest of their line") {
    CHECK(parse_whole("PINGxyz\r\nPONG foo\r\n+OK extra\r\n") == Events{"PING", "PONG", "+OK"});
  }
  SECTION("CONNECT and INFO take their argument with or without a blank") {
    CHECK(parse_whole("CONNECT{}\r\nINFO{\"a\":1}\r\n") == Events{"CONNECT arg={}", "INFO arg={\"a\":1}"});
    CHECK(parse_whole("CONNECT\r\n") == Events{"CONNECT"});
  }
  SECTION("a CR inside an argument line drops the line's last byte, as nats-server does") {
    CHECK(parse_whole("SUB foo\r 1x\n") == Events{"SUB arg=foo\r 1 subject=foo sid=1"});
    // SUB and UNSUB split their arguments on CR too; the message ops only on blanks.
    CHECK(parse_whole("SUB foo 1\rPING\r\n") == Events{"SUB arg=foo 1\rPING subject=foo queue=1 sid=PING"});
    CHECK(parse_whole("PUB foo 1\r2\n") == Events{"ERROR bad-args"});
  }
  SECTION("an op name must be followed by a blank") {
    CHECK(parse_whole("PUBX foo 1\r\n") == Events{"ERROR unknown-op"});
    CHECK(parse_whole("PUB\r\n") == Events{"ERROR unknown-op"});
    CHECK(parse_whole("UNSUB\r\n") == Events{"ERROR unknown-op"});
    CHECK(parse_whole("SUBfoo 1\r\n") == Events{"ERROR unknown-op"});
    CHECK(parse_whole(std::string_view("PUB\0foo 1\r\nx\r\n", 15)) == Events{"ERROR unknown-op"});
    CHECK(parse_whole("pUb foo 1\r\nx\r\n").size() == 1);
  }
  SECTION("a size is one to nine digits") {
    CHECK(parse_whole("PUB foo 000000001\r\nx\r\n").size() == 1);
    CHECK(parse_whole("PUB foo 0000000001\r\nx\r\n") == Events{"ERROR bad-args"});
    CHECK(parse_whole("PUB foo +1\r\nx\r\n") == Events{"ERROR bad-args"});
    CHECK(parse_whole("PUB foo -1\r\n") == Events{"ERROR bad-args"});
    CHECK(parse_whole("PUB foo x\r\n") == Events{"ERROR bad-args"});
  }
}

TEST_CASE("every error path", "[parser]") {
  SECTION("unknown operations") {
    CHECK(parse_whole("FOO\r\n") == Events{"ERROR unknown-op"});
    CHECK(parse_whole("\r\n") == Events{"ERROR unknown-op"});
    CHECK(parse_whole(" PING\r\n") == Events{"ERROR unknown-op"});
    CHECK(parse_whole("MSG foo 1 2\r\nhi\r\n") == Events{"ERROR unknown-op"});
    CHECK(parse_whole("PINX\r\n") == Events{"ERROR unknown-op"});
    CHECK(parse_whole("PING\r\nX") == Events{"PING", "ERROR unknown-op"});
  }
  SECTION("a payload must be followed by CRLF") {
    CHECK(parse_whole("PUB foo 5\r\nhelloX\r\n") == Events{"ERROR unknown-op"});
    CHECK(parse_whole("PUB foo 5\r\nhello\rX") == Events{"ERROR unknown-op"});
    CHECK(parse_whole("PUB foo 5\r\nhello\n\r\n") == Events{"ERROR unknown-op"});
    // A wrong byte after the payload fails at once, before the declared length is complete.
    CHECK(parse_whole("PUB foo 5\r\nhello\n") == Events{"ERROR unknown-op"});
    CHECK(parse_chunked("PUB foo 5\r\nhello\n", {3}) == Events{"ERROR unknown-op"});
  }
  SECTION("argument counts") {
    CHECK(parse_whole("PUB foo\r\n") == Events{"ERROR bad-args"});
    CHECK(parse_whole("PUB a b c 1\r\n") == Events{"ERROR bad-args"});
    CHECK(parse_whole("PUB \r\n") == Events{"ERROR bad-args"});
    CHECK(parse_whole("HPUB foo 1\r\n") == Events{"ERROR bad-args"});
    CHECK(parse_whole("HPUB a b c d e\r\n") == Events{"ERROR bad-args"});
    CHECK(parse_whole("HPUB foo 5 4\r\n") == Events{"ERROR bad-args"});
    CHECK(parse_whole("HPUB foo x 4\r\n") == Events{"ERROR bad-args"});
    CHECK(parse_whole("SUB foo\r\n") == Events{"ERROR bad-args"});
    CHECK(parse_whole("SUB a b c d\r\n") == Events{"ERROR bad-args"});
    CHECK(parse_whole("UNSUB \r\n") == Events{"ERROR bad-args"});
    CHECK(parse_whole("UNSUB 1 2 3\r\n") == Events{"ERROR bad-args"});
    CHECK(parse_whole("SUB a b c d e f g h\r\n") == Events{"ERROR bad-args"});
  }
  SECTION("the control line limit, counted on the arguments") {
    ParserLimits limits;
    limits.max_control_line = 10;
    CHECK(parse_whole("SUB 123456789 9\r\n", Direction::kFromClient, limits) ==
          Events{"ERROR max-control-line"});
    CHECK(parse_whole("SUB 12345678 9\r\n", Direction::kFromClient, limits).size() == 1);
    CHECK(parse_whole("SUB 1234567 9\r\n", Direction::kFromClient, limits) ==
          Events{"SUB arg=1234567 9 subject=1234567 sid=9"});
    // No line end at all: the limit stops the buffering.
    CHECK(parse_chunked(std::string(100, 'a').insert(0, "SUB "), {3}, Direction::kFromClient, limits) ==
          Events{"ERROR max-control-line"});
    // PING's line is not an argument line and has no limit, like nats-server's.
    CHECK(parse_whole("PING" + std::string(100, 'x') + "\r\n", Direction::kFromClient, limits) ==
          Events{"PING"});
  }
  SECTION("the payload limit, on the declared size, before any payload arrives") {
    ParserLimits limits;
    limits.max_payload = 4;
    CHECK(parse_whole("PUB foo 5\r\n", Direction::kFromClient, limits) == Events{"ERROR max-payload"});
    CHECK(parse_whole("PUB foo 4\r\nabcd\r\n", Direction::kFromClient, limits).size() == 1);
    CHECK(parse_whole("HPUB foo 2 5\r\n", Direction::kFromClient, limits) == Events{"ERROR max-payload"});
    // Bad arguments are found before the size is compared.
    CHECK(parse_whole("HPUB foo 6 5\r\n", Direction::kFromClient, limits) == Events{"ERROR bad-args"});
  }
  SECTION("after an error the parser stays failed") {
    Parser parser(Direction::kFromClient);
    parser.feed("FOO\r\n");
    Op op;
    CHECK(parser.next(op) == ParseStatus::kError);
    CHECK(parser.error_snippet() == "FOO\r\n");
    parser.feed("PING\r\n");
    CHECK(parser.next(op) == ParseStatus::kError);
    parser.reset();
    parser.feed("PING\r\n");
    CHECK(parser.next(op) == ParseStatus::kOp);
  }
}

TEST_CASE("HPUB is refused at its line when headers are not allowed", "[parser]") {
  Parser parser(Direction::kFromClient);
  parser.set_headers_allowed(false);
  Op op;
  parser.feed("PUB a 1\r\nx\r\nHPUB foo 22 2000000\r\n");
  CHECK(parser.next(op) == ParseStatus::kOp);
  CHECK(parser.next(op) == ParseStatus::kError);
  CHECK(parser.error() == ParseError::kHeadersNotSupported);
}

TEST_CASE("require_connect refuses any first byte but C", "[parser]") {
  Parser parser(Direction::kFromClient);
  parser.set_require_connect(true);
  Op op;
  parser.feed("c");
  CHECK(parser.next(op) == ParseStatus::kNeedMore);
  parser.reset();
  parser.feed("PING\r\n");
  CHECK(parser.next(op) == ParseStatus::kError);
  CHECK(parser.error() == ParseError::kAuthorizationViolation);
}

TEST_CASE("server ops parse into their fields", "[parser]") {
  const auto from_server = Direction::kFromServer;
  CHECK(parse_whole("INFO {\"server_id\":\"x\"} \r\n", from_server) ==
        Events{"INFO arg={\"server_id\":\"x\"} "});
  CHECK(parse_whole("MSG foo 1 5\r\nhello\r\n", from_server) ==
        Events{"MSG arg=foo 1 5 subject=foo sid=1 size=5 size#=5 payload=[hello]"});
  CHECK(parse_whole("MSG foo 1 _INBOX.x 0\r\n\r\n", from_server) ==
        Events{"MSG arg=foo 1 _INBOX.x 0 subject=foo reply=_INBOX.x sid=1 size=0 size#=0 payload=[]"});
  CHECK(parse_whole("HMSG r 9 16 16\r\nNATS/1.0 503\r\n\r\n\r\n", from_server) ==
        Events{"HMSG arg=r 9 16 16 subject=r sid=9 hdr=16 size=16 hdr#=16 size#=16 payload=[NATS/1.0 "
               "503\r\n\r\n]"});
  CHECK(parse_whole("HMSG a 1 b 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", from_server).size() == 1);
  CHECK(parse_whole("+OK\r\n-ERR 'Unknown Protocol Operation'\r\nPING\r\nPONG\r\n", from_server) ==
        Events{"+OK", "-ERR arg='Unknown Protocol Operation'", "PING", "PONG"});
  CHECK(parse_whole("PUB foo 1\r\na\r\n", from_server) == Events{"ERROR unknown-op"});
  CHECK(parse_whole("SUB foo 1\r\n", from_server) == Events{"ERROR unknown-op"});
  CHECK(parse_whole("MSG foo 1\r\n", from_server) == Events{"ERROR bad-args"});
  CHECK(parse_whole("HMSG foo 1 2\r\n", from_server) == Events{"ERROR bad-args"});
}

TEST_CASE("any split of the input gives the same ops", "[parser][split]") {
  const char* client_inputs[] = {
      "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nPING\r\n",
      "PUB foo 5\r\nhello\r\nPUB foo.bar reply.to 11\r\nhello world\r\n",
      "HPUB foo 22 27\r\nNATS/1.0\r\nA: B\r\n\r\n\r\nhello\r\nPING\r\n",
      "SUB foo 1\r\nSUB foo.* q 2\nUNSUB 1 5\r\nUNSUB 2\r\npong\r\n",
      "PUB foo 0\r\n\r\nPUB foo 2\r\n\r\n\r\n",
      "PINGjunk\r\nPUB a 3\r\nabc\r\nPUB a 3\r\nabcX",
      "PUB foo 5\r\nhello\rX",
      "SUB foo\r 1x\nPING\n",
      "PUB foo 3\r\nabc\r\nFOO\r\n",
      "PUB foo x\r\n",
  };
  for (const char* input : client_inputs)
    check_split_invariance(input);

  ParserLimits tight;
  tight.max_control_line = 12;
  tight.max_payload = 8;
  const char* limited_inputs[] = {
      "SUB 123456789 1\r\nPING\r\n",
      "SUB 12345678 123\r\nPUB a 8\r\n12345678\r\nPUB a 9\r\n",
      "SUB 123456789\r123\r\n",
  };
  for (const char* input : limited_inputs)
    check_split_invariance(input, Direction::kFromClient, tight);

  const char* server_inputs[] = {
      "INFO {\"server_id\":\"abc\",\"max_payload\":1048576} \r\nPING\r\n+OK\r\n",
      "MSG foo 1 5\r\nhello\r\nHMSG foo 2 rep 12 14\r\nNATS/1.0\r\n\r\nhi\r\n-ERR 'Stale Connection'\r\n",
  };
  for (const char* input : server_inputs)
    check_split_invariance(input, Direction::kFromServer);
}

TEST_CASE("a large payload in many small reads", "[parser][split]") {
  std::string payload(300000, 'p');
  for (std::size_t i = 0; i < payload.size(); i += 97)
    payload[i] = static_cast<char>('a' + i % 26);
  const std::string input = "PUB big 300000\r\n" + payload + "\r\nPING\r\n";
  const auto events = parse_chunked(input, {4096, 1, 65536, 7});
  REQUIRE(events.size() == 2);
  CHECK(events[0] == "PUB arg=big 300000 subject=big size=300000 size#=300000 payload=[" + payload + "]");
  CHECK(events[1] == "PING");
}

TEST_CASE("the parser holds memory only for a straddling op", "[parser]") {
  Parser parser(Direction::kFromClient);
  Op op;
  parser.feed("PUB foo 11\r\nhel");
  CHECK(parser.next(op) == ParseStatus::kNeedMore);
  CHECK(parser.buffered_bytes() > 0);
  CHECK_FALSE(parser.at_op_boundary());
  parser.feed("lo worl");
  CHECK(parser.next(op) == ParseStatus::kNeedMore);
  parser.feed("d\r\n");
  REQUIRE(parser.next(op) == ParseStatus::kOp);
  CHECK(op.payload == "hello world");
  CHECK(op.subject == "foo");
  parser.feed("");
  CHECK(parser.next(op) == ParseStatus::kNeedMore);
  CHECK(parser.buffered_bytes() == 0);
  CHECK(parser.at_op_boundary());
}

TEST_CASE("parse_size", "[parser]") {
  CHECK(tern::protocol::parse_size("0") == 0);
  CHECK(tern::protocol::parse_size("123") == 123);
  CHECK(tern::protocol::parse_size("999999999") == 999999999);
  CHECK(tern::protocol::parse_size("1000000000") == -1);
  CHECK(tern::protocol::parse_size("") == -1);
  CHECK(tern::protocol::parse_size("1a") == -1);
  CHECK(tern::protocol::parse_size("-1") == -1);
}
