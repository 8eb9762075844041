// The resumable, byte-level parser of the NATS text protocol, for both directions: the ops a client
// sends (parsed by the server) and the ops a server sends (parsed by the client library).
//
// The parser is pull-based. The caller hands it a chunk with feed() and then calls next() until it
// returns kNeedMore; every op comes back as views. While an op lies whole inside the chunk, its views
// point into the chunk and nothing is copied: a payload is skipped, never scanned. Only an op that
// straddles the end of a chunk is copied, into storage the parser owns, so the caller may reuse its
// read buffer as soon as next() has returned kNeedMore.
//
// The grammar follows nats-server 2.9 (parser.go): op names are case-insensitive; an op name is
// followed by spaces or tabs and its arguments; control lines end in CRLF or a bare LF; PING, PONG and
// +OK ignore anything up to the end of their line. Limits are enforced here, across chunk boundaries:
// a control line longer than max_control_line and a declared payload larger than max_payload are
// errors, detected before anything is buffered.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/limits.h"

namespace tern::protocol {

// Which peer's ops a parser reads.
enum class Direction : std::uint8_t {
  kFromClient,  // CONNECT PUB HPUB SUB UNSUB PING PONG, and INFO +OK -ERR (which nats-server tolerates).
  kFromServer,  // INFO MSG HMSG PING PONG +OK -ERR.
};

enum class OpKind : std::uint8_t {
  kConnect,
  kInfo,
  kPub,
  kHpub,
  kMsg,
  kHmsg,
  kSub,
  kUnsub,
  kPing,
  kPong,
  kOk,
  kErr
};

enum class ParseStatus : std::uint8_t {
  kOp,        // `op` holds a complete op.
  kNeedMore,  // The chunk is consumed; feed the next one.
  kError,     // A protocol error; error() says which. The parser is then stuck until reset().
};

enum class ParseError : std::uint8_t {
  kNone,
  kUnknownOperation,        // Bad op name, or a payload not followed by CRLF.
  kMaxControlLineExceeded,  // An op's arguments are longer than max_control_line.
  kMaxPayloadExceeded,      // A declared payload size is larger than max_payload.
  kBadArguments,            // Too many or too few arguments, or a size that is not a number.
  kAuthorizationViolation,  // An op other than CONNECT while require_connect() is set.
  kHeadersNotSupported,     // HPUB while headers are not allowed (set_headers_allowed(false)).
};

// The fields an op carries. Only the fields of its kind are set; the others are empty. All views stay
// valid until the next call to next(), feed() or reset().
struct Op {
  OpKind kind = OpKind::kPing;
  std::string_view arg;               // The whole argument text (for traces; CONNECT/INFO JSON; -ERR text).
  std::string_view subject;           // PUB HPUB MSG HMSG SUB
  std::string_view reply;             // PUB HPUB MSG HMSG; empty when absent.
  std::string_view queue;             // SUB; empty when absent.
  std::string_view sid;               // SUB UNSUB MSG HMSG
  std::string_view max_msgs;          // UNSUB; empty when absent. Not validated: UNSUB semantics decide.
  std::string_view header_size_text;  // HPUB HMSG: the digits as sent.
  std::string_view total_size_text;   // PUB HPUB MSG HMSG: the digits as sent.
  std::int64_t header_size = -1;      // HPUB HMSG; -1 for ops without headers.
  std::int64_t total_size = 0;        // PUB HPUB MSG HMSG: headers and body.
  std::string_view payload;           // PUB HPUB MSG HMSG: headers and body, without the final CRLF.
};

struct ParserLimits {
  std::size_t max_control_line = kDefaultMaxControlLine;
  std::int64_t max_payload = kDefaultMaxPayload;  // Zero or less: no limit (the client side).
};

// Parses a size the way nats-server does: one to nine ASCII digits and nothing else; -1 otherwise.
std::int64_t parse_size(std::string_view digits) noexcept;

class Parser {
 public:
  explicit Parser(Direction direction, ParserLimits limits = {}) noexcept
      : direction_(direction), limits_(limits) {}

  // Precondition: the previous chunk was consumed (next() returned kNeedMore, or take_unconsumed() took
  // its rest), or this is the first since construction or reset(), or the parser is stuck on an error
  // (it stays stuck whatever it is fed).
  void feed(std::string_view chunk) noexcept {
    assert(pos_ == end_ || error_ != ParseError::kNone);
    pos_ = chunk.data();
    end_ = chunk.data() + chunk.size();
  }

  ParseStatus next(Op& op);

  ParseError error() const noexcept { return error_; }
  // For log lines: up to 32 bytes of input at the point of the error, or for kBadArguments the
  // offending argument line.
  std::string_view error_snippet() const noexcept { return error_snippet_; }
  // The op being parsed when the error happened (meaningful for kBadArguments).
  OpKind error_op() const noexcept { return kind_; }

  void set_limits(ParserLimits limits) noexcept { limits_ = limits; }

  // While set, the first byte of the next op must start CONNECT, as nats-server demands of a client
  // that has yet to authenticate; anything else is kAuthorizationViolation at once, before the rest
  // of the line arrives.
  void set_require_connect(bool required) noexcept { require_connect_ = required; }

  // Whether HPUB is acceptable. nats-server refuses it from a connection that did not declare
  // headers as soon as its line is parsed, before looking at the sizes or the payload.
  void set_headers_allowed(bool allowed) noexcept { headers_allowed_ = allowed; }

  // For log lines about kMaxPayloadExceeded and kMaxControlLineExceeded: the declared payload size or
  // the length of the argument line.
  std::int64_t error_size() const noexcept { return error_size_; }
  const ParserLimits& limits() const noexcept { return limits_; }

  // Bytes the parser holds for an op that straddles chunks (its share of a connection's memory).
  std::size_t buffered_bytes() const noexcept { return arg_buf_.size() + payload_buf_.size(); }

  // The bytes of the current chunk that next() has not consumed yet. A caller that must pause after an
  // op (and let its read buffer be reused) copies these and feeds them again later.
  std::string_view unconsumed() const noexcept { return {pos_, static_cast<std::size_t>(end_ - pos_)}; }
  // The same bytes, now counted as consumed: the caller keeps a copy and feeds it later.
  std::string_view take_unconsumed() noexcept {
    const std::string_view rest = unconsumed();
    pos_ = end_;
    return rest;
  }

  // True between ops: no partial op is held. A connection that closes cleanly is at a boundary.
  bool at_op_boundary() const noexcept { return state_ == State::kStart; }

  // Returns to the initial state and drops any partial op (and any error).
  void reset() noexcept;

 private:
  enum class State : std::uint8_t {
    kStart,
    kName,          // Matching the rest of the op name in name_.
    kSecondLetter,  // Saw 'P' (PUB, PING, PONG) or 'H' (HPUB, HMSG) in first_letter_.
    kAfterName,     // Op name complete; needs a space or a tab (or, for some ops, the arguments).
    kBeforeArg,     // Skipping spaces and tabs before the arguments.
    kArg,           // Inside the argument line.
    kSkipLine,      // PING, PONG and +OK: anything up to LF.
    kPayload,       // Collecting a payload that straddles chunks, and its CRLF.
    kError,
  };

  ParseStatus fail(ParseError error, const char* at) noexcept;
  ParseStatus start_name(char c);
  ParseStatus finish_arg_line(Op& op, std::string_view line);
  bool split_args(Op& op, std::string_view line) noexcept;
  ParseStatus take_payload(Op& op);
  ParseStatus check_partial_payload_end();
  ParseStatus finish_payload(Op& op, std::string_view payload_with_crlf, const char* at);
  void begin_straddling_payload(std::string_view line);

  Direction direction_;
  ParserLimits limits_;
  State state_ = State::kStart;
  OpKind kind_ = OpKind::kPing;
  const char* name_ = nullptr;  // The op name being matched, upper case.
  std::uint8_t name_pos_ = 0;
  char first_letter_ = 0;
  bool require_connect_ = false;
  bool headers_allowed_ = true;
  std::int64_t error_size_ = 0;
  const char* pos_ = nullptr;  // Next unread byte of the current chunk.
  const char* end_ = nullptr;
  const char* arg_start_ = nullptr;  // Start of the argument line in the chunk, when not in arg_buf_.
  std::string arg_buf_;              // An argument line that straddles chunks.
  std::string payload_buf_;          // A payload (and its CRLF) that straddles chunks.
  std::int64_t payload_need_ = 0;    // Bytes of payload plus CRLF the straddling op needs in all.
  Op pending_;                       // The arguments of a straddling op, viewing arg_buf_.
  ParseError error_ = ParseError::kNone;
  std::string error_snippet_;
};

}  // namespace tern::protocol
