#include "protocol/parser.h"

#include <algorithm>
#include <cstring>

namespace tern::protocol {

namespace {

constexpr std::size_t kSnippetSize = 32;
// A straddling payload buffer larger than this is released once its op is done, so that one large
// message does not pin memory on an idle connection.
constexpr std::size_t kPayloadBufferKeep = 64 * 1024;

// "pub " and "msg " as little-endian words, lower case (a space is unchanged by OR-ing in 0x20).
constexpr std::uint32_t kPubWord = 'p' | ('u' << 8) | ('b' << 16) | (' ' << 24);
constexpr std::uint32_t kMsgWord = 'm' | ('s' << 8) | ('g' << 16) | (' ' << 24);

inline char to_upper(char c) noexcept {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
}
inline bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t';
}

// The most arguments any op takes, plus one so that "too many" is seen.
constexpr std::size_t kMaxArgs = 6;

// Trivially constructible, so that declaring one costs nothing; only `count` items are set.
struct Args {
  struct Item {
    const char* data;
    std::size_t size;
  };
  Item items[kMaxArgs];
  std::size_t count;

  std::string_view operator[](std::size_t i) const noexcept { return {items[i].data, items[i].size}; }
};

// Splits on blanks (and, for SUB and UNSUB, on CR and LF). One comparison per byte in the common case:
// every separator is at most ' ', so only such bytes are looked at closely.
template <bool kSplitOnLineEnds>
void split(std::string_view line, Args& args) noexcept {
  const char* p = line.data();
  const char* const end = p + line.size();
  const char* start = nullptr;
  std::size_t count = 0;
  for (; p < end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    const bool separator =
        c <= ' ' && (c == ' ' || c == '\t' || (kSplitOnLineEnds && (c == '\r' || c == '\n')));
    if (!separator) {
      if (start == nullptr) start = p;
      continue;
    }
    if (start != nullptr) {
      // Past the cap the count stays there: every caller treats kMaxArgs as too many.
      if (count == kMaxArgs) break;
      args.items[count++] = {start, static_cast<std::size_t>(p - start)};
      start = nullptr;
    }
  }
  if (start != nullptr && count < kMaxArgs)
    args.items[count++] = {start, static_cast<std::size_t>(end - start)};
  args.count = count;
}

}  // namespace

namespace {

// Clears every field of `op` and sets its kind. Field by field, each from a constant, on purpose:
// `op = Op{}` compiles to a `rep stos`, and chained assignments to stores read back at once (a
// store-forwarding stall); either was most of the cost of parsing a small PUB.
inline void start_op(Op& op, OpKind kind) noexcept {
  constexpr std::string_view kEmpty;
  op.kind = kind;
  op.arg = kEmpty;
  op.subject = kEmpty;
  op.reply = kEmpty;
  op.queue = kEmpty;
  op.sid = kEmpty;
  op.max_msgs = kEmpty;
  op.header_size_text = kEmpty;
  op.total_size_text = kEmpty;
  op.payload = kEmpty;
  op.header_size = -1;
  op.total_size = 0;
}

}  // namespace

std::int64_t parse_size(std::string_view digits) noexcept {
  if (digits.empty() || digits.size() > 9) return -1;
  std::int64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

void Parser::reset() noexcept {
  state_ = State::kStart;
  arg_start_ = nullptr;
  arg_buf_.clear();
  payload_buf_.clear();
  payload_need_ = 0;
  error_ = ParseError::kNone;
  error_snippet_.clear();
  // What was left of the chunk being parsed is dropped with the rest of the state.
  pos_ = end_;
}

ParseStatus Parser::fail(ParseError error, const char* at) noexcept {
  state_ = State::kError;
  error_ = error;
  if (at != nullptr && at >= pos_ && at <= end_) {
    error_snippet_.assign(at, std::min<std::size_t>(kSnippetSize, static_cast<std::size_t>(end_ - at)));
  }
  return ParseStatus::kError;
}

ParseStatus Parser::start_name(char c) {
  const bool from_client = direction_ == Direction::kFromClient;
  switch (to_upper(c)) {
    case 'P':
      first_letter_ = 'P';
      state_ = State::kSecondLetter;
      return ParseStatus::kNeedMore;
    case 'H':
      first_letter_ = 'H';
      state_ = State::kSecondLetter;
      return ParseStatus::kNeedMore;
    case 'C':
      if (!from_client) break;
      kind_ = OpKind::kConnect, name_ = "CONNECT";
      break;
    case 'S':
      if (!from_client) break;
      kind_ = OpKind::kSub, name_ = "SUB";
      break;
    case 'U':
      if (!from_client) break;
      kind_ = OpKind::kUnsub, name_ = "UNSUB";
      break;
    case 'M':
      if (from_client) break;
      kind_ = OpKind::kMsg, name_ = "MSG";
      break;
    case 'I':
      kind_ = OpKind::kInfo, name_ = "INFO";
      break;
    case '+':
      kind_ = OpKind::kOk, name_ = "+OK";
      break;
    case '-':
      kind_ = OpKind::kErr, name_ = "-ERR";
      break;
    default:
      break;
  }
  if (state_ == State::kStart && name_ != nullptr && to_upper(c) == name_[0]) {
    name_pos_ = 1;
    state_ = State::kName;
    return ParseStatus::kNeedMore;
  }
  return ParseStatus::kError;
}

ParseStatus Parser::next(Op& op) {
  // The previous op's views may point into the straddle buffers; they end with this call.
  if (state_ == State::kStart && (!arg_buf_.empty() || !payload_buf_.empty())) {
    arg_buf_.clear();
    if (payload_buf_.capacity() > kPayloadBufferKeep) {
      std::string().swap(payload_buf_);
    } else {
      payload_buf_.clear();
    }
  }

  while (pos_ < end_) {
    switch (state_) {
      case State::kStart: {
        const char c = *pos_;
        if (require_connect_ && c != 'C' && c != 'c') return fail(ParseError::kAuthorizationViolation, pos_);
        // The op of almost every line in a busy stream, "PUB " (or "MSG " from a server), is taken in
        // one comparison; the letters are matched in any case, the blank must be a space.
        if (end_ - pos_ >= 4) {
          std::uint32_t word;
          std::memcpy(&word, pos_, 4);
          // Only the three letters are folded: a NUL folded to 0x20 would pass for the space.
          word |= 0x00202020u;
          const bool from_client = direction_ == Direction::kFromClient;
          if (word == (from_client ? kPubWord : kMsgWord)) {
            kind_ = from_client ? OpKind::kPub : OpKind::kMsg;
            pos_ += 4;
            state_ = State::kBeforeArg;
            break;
          }
        }
        name_ = nullptr;
        if (start_name(c) == ParseStatus::kError) return fail(ParseError::kUnknownOperation, pos_);
        ++pos_;
        break;
      }
      case State::kSecondLetter: {
        // P and H start more than one op; their second letter decides which.
        const char c = to_upper(*pos_);
        const bool from_client = direction_ == Direction::kFromClient;
        if (first_letter_ == 'P' && c == 'U' && from_client) {
          kind_ = OpKind::kPub, name_ = "PUB";
        } else if (first_letter_ == 'P' && c == 'I') {
          kind_ = OpKind::kPing, name_ = "PING";
        } else if (first_letter_ == 'P' && c == 'O') {
          kind_ = OpKind::kPong, name_ = "PONG";
        } else if (first_letter_ == 'H' && c == 'P' && from_client) {
          kind_ = OpKind::kHpub, name_ = "HPUB";
        } else if (first_letter_ == 'H' && c == 'M' && !from_client) {
          kind_ = OpKind::kHmsg, name_ = "HMSG";
        } else {
          return fail(ParseError::kUnknownOperation, pos_);
        }
        ++pos_;
        name_pos_ = 2;
        state_ = State::kName;
        break;
      }
      case State::kName: {
        if (to_upper(*pos_) != name_[name_pos_]) return fail(ParseError::kUnknownOperation, pos_);
        ++pos_;
        if (name_[++name_pos_] == '\0') state_ = State::kAfterName;
        break;
      }
      case State::kAfterName: {
        switch (kind_) {
          case OpKind::kPing:
          case OpKind::kPong:
          case OpKind::kOk:
            state_ = State::kSkipLine;
            break;
          case OpKind::kConnect:
          case OpKind::kInfo:
            // nats-server takes the JSON of CONNECT and INFO with or without blanks before it.
            state_ = State::kBeforeArg;
            break;
          default:
            if (!is_blank(*pos_)) return fail(ParseError::kUnknownOperation, pos_);
            ++pos_;
            state_ = State::kBeforeArg;
            break;
        }
        break;
      }
      case State::kBeforeArg: {
        while (pos_ < end_ && is_blank(*pos_))
          ++pos_;
        if (pos_ < end_) {
          state_ = State::kArg;
          arg_start_ = pos_;
        }
        break;
      }
      case State::kArg: {
        const auto* newline =
            static_cast<const char*>(std::memchr(pos_, '\n', static_cast<std::size_t>(end_ - pos_)));
        if (newline == nullptr) {
          // The line straddles this chunk: keep what there is, within the control line limit.
          arg_buf_.append(arg_start_ != nullptr ? arg_start_ : pos_, end_);
          arg_start_ = nullptr;
          pos_ = end_;
          std::size_t held = arg_buf_.size();
          if (std::memchr(arg_buf_.data(), '\r', held) != nullptr) --held;
          if (held > limits_.max_control_line) {
            error_size_ = static_cast<std::int64_t>(held);
            return fail(ParseError::kMaxControlLineExceeded, nullptr);
          }
          return ParseStatus::kNeedMore;
        }
        std::string_view line;
        if (arg_start_ != nullptr) {
          line = std::string_view(arg_start_, static_cast<std::size_t>(newline - arg_start_));
        } else {
          arg_buf_.append(pos_, newline);
          line = arg_buf_;
        }
        arg_start_ = nullptr;
        pos_ = newline + 1;
        return finish_arg_line(op, line);
      }
      case State::kSkipLine: {
        const auto* newline =
            static_cast<const char*>(std::memchr(pos_, '\n', static_cast<std::size_t>(end_ - pos_)));
        if (newline == nullptr) {
          pos_ = end_;
          return ParseStatus::kNeedMore;
        }
        pos_ = newline + 1;
        state_ = State::kStart;
        start_op(op, kind_);
        return ParseStatus::kOp;
      }
      case State::kPayload:
        return take_payload(op);
      case State::kError:
        return ParseStatus::kError;
    }
  }
  return state_ == State::kError ? ParseStatus::kError : ParseStatus::kNeedMore;
}

bool Parser::split_args(Op& op, std::string_view line) noexcept {
  Args args;
  if (kind_ == OpKind::kSub || kind_ == OpKind::kUnsub) {
    split<true>(line, args);
  } else {
    split<false>(line, args);
  }
  const Args& a = args;
  switch (kind_) {
    case OpKind::kPub:
    case OpKind::kHpub:
    case OpKind::kMsg:
    case OpKind::kHmsg: {
      // "<subject> [<sid>] [<reply>] [<header size>] <total size>": the sid for the server's ops, the
      // header size for the ones with headers, the reply optional for all.
      const bool with_sid = kind_ == OpKind::kMsg || kind_ == OpKind::kHmsg;
      const bool with_headers = kind_ == OpKind::kHpub || kind_ == OpKind::kHmsg;
      const std::size_t required = 2 + (with_sid ? 1 : 0) + (with_headers ? 1 : 0);
      if (args.count != required && args.count != required + 1) return false;
      std::size_t next = 0;
      op.subject = a[next++];
      if (with_sid) op.sid = a[next++];
      if (args.count == required + 1) op.reply = a[next++];
      if (with_headers) op.header_size_text = a[next++];
      op.total_size_text = a[next];
      break;
    }
    case OpKind::kSub:
      if (args.count == 2) {
        op.subject = a[0], op.sid = a[1];
      } else if (args.count == 3) {
        op.subject = a[0], op.queue = a[1], op.sid = a[2];
      } else {
        return false;
      }
      return true;
    case OpKind::kUnsub:
      if (args.count == 1) {
        op.sid = a[0];
      } else if (args.count == 2) {
        op.sid = a[0], op.max_msgs = a[1];
      } else {
        return false;
      }
      return true;
    default:
      return true;
  }
  // The message ops: sizes must parse, and headers may not be larger than the whole.
  if (!op.header_size_text.empty()) {
    op.header_size = parse_size(op.header_size_text);
    if (op.header_size < 0) return false;
  }
  op.total_size = parse_size(op.total_size_text);
  if (op.total_size < 0) return false;
  return op.header_size <= op.total_size;
}

ParseStatus Parser::finish_arg_line(Op& op, std::string_view line) {
  // nats-server drops the byte before LF whenever the line held a CR, wherever the CR was.
  if (!line.empty() && (line.back() == '\r' || std::memchr(line.data(), '\r', line.size()) != nullptr)) {
    line.remove_suffix(1);
  }
  if (line.size() > limits_.max_control_line) {
    error_size_ = static_cast<std::int64_t>(line.size());
    return fail(ParseError::kMaxControlLineExceeded, nullptr);
  }
  if (kind_ == OpKind::kHpub && !headers_allowed_) return fail(ParseError::kHeadersNotSupported, nullptr);

  start_op(op, kind_);
  op.arg = line;
  if (!split_args(op, line)) {
    fail(ParseError::kBadArguments, nullptr);
    // The arguments, for the log line that explains the close.
    error_snippet_.assign(line);
    return ParseStatus::kError;
  }

  switch (kind_) {
    case OpKind::kPub:
    case OpKind::kHpub:
    case OpKind::kMsg:
    case OpKind::kHmsg:
      break;
    default:
      state_ = State::kStart;
      return ParseStatus::kOp;
  }

  if (limits_.max_payload > 0 && op.total_size > limits_.max_payload) {
    error_size_ = op.total_size;
    return fail(ParseError::kMaxPayloadExceeded, nullptr);
  }
  const auto need = static_cast<std::size_t>(op.total_size) + 2;
  if (static_cast<std::size_t>(end_ - pos_) >= need) {
    // The common case: the whole payload is in this chunk. Jump over it.
    return finish_payload(op, std::string_view(pos_, need), pos_);
  }
  begin_straddling_payload(line);
  return check_partial_payload_end();
}

ParseStatus Parser::check_partial_payload_end() {
  // Like nats-server, refuse a wrong byte after the payload as soon as it arrives rather than when
  // the whole declared length is in: "PUB foo 5\r\nhello\n" fails at once.
  const auto size = static_cast<std::size_t>(payload_need_) - 2;
  if (payload_buf_.size() > size && payload_buf_[size] != '\r') {
    return fail(ParseError::kUnknownOperation, nullptr);
  }
  return ParseStatus::kNeedMore;
}

void Parser::begin_straddling_payload(std::string_view line) {
  // The arguments must outlive the chunk: hold the line, and view it again from there.
  if (line.data() != arg_buf_.data()) arg_buf_.assign(line);
  start_op(pending_, kind_);
  pending_.arg = std::string_view(arg_buf_).substr(0, line.size());
  split_args(pending_, pending_.arg);

  payload_need_ = pending_.total_size + 2;
  payload_buf_.clear();
  payload_buf_.reserve(static_cast<std::size_t>(payload_need_));
  payload_buf_.append(pos_, end_);
  pos_ = end_;
  state_ = State::kPayload;
}

ParseStatus Parser::take_payload(Op& op) {
  const auto missing = static_cast<std::size_t>(payload_need_) - payload_buf_.size();
  const auto available = static_cast<std::size_t>(end_ - pos_);
  const auto take = std::min(missing, available);
  payload_buf_.append(pos_, take);
  pos_ += take;
  if (payload_buf_.size() < static_cast<std::size_t>(payload_need_)) return check_partial_payload_end();
  op = pending_;
  return finish_payload(op, payload_buf_, nullptr);
}

ParseStatus Parser::finish_payload(Op& op, std::string_view payload_with_crlf, const char* at) {
  const std::size_t size = payload_with_crlf.size() - 2;
  if (payload_with_crlf[size] != '\r' || payload_with_crlf[size + 1] != '\n') {
    return fail(ParseError::kUnknownOperation, at != nullptr ? at + size : nullptr);
  }
  op.payload = payload_with_crlf.substr(0, size);
  if (at != nullptr) pos_ = at + size + 2;
  state_ = State::kStart;
  return ParseStatus::kOp;
}

}  // namespace tern::protocol
