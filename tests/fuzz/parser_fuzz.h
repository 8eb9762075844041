// The body of the two parser fuzz targets (client ops and server ops).
//
// Input layout: byte 0 chooses the limits (see limits_for), bytes 1-2 a split offset, bytes 3-5 three
// chunk sizes; the rest is the byte stream. The stream is parsed four ways: whole, split in two at the
// offset, cut into chunks of the cycling sizes, and whole but re-fed from unconsumed() after every op (as
// the server does when it pauses a connection). All four must yield the same ops and end the same way.
// Every chunk lives in its own exactly sized heap block that is freed as soon as the parser asks for more,
// so AddressSanitizer reports any view the parser keeps into a chunk it should have copied.
#pragma once

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/frames.h"
#include "protocol/parser.h"
#include "tests/fuzz/fuzz_support.h"

namespace tern::fuzz {

using protocol::Direction;
using protocol::Op;
using protocol::OpKind;
using protocol::ParseError;
using protocol::Parser;
using protocol::ParserLimits;
using protocol::ParseStatus;

// An op with its views copied, so that it outlives the parser's buffers.
struct RecordedOp {
  OpKind kind = OpKind::kPing;
  std::string arg, subject, reply, queue, sid, max_msgs, header_size_text, total_size_text, payload;
  std::int64_t header_size = -1;
  std::int64_t total_size = 0;

  explicit RecordedOp(const Op& op)
      : kind(op.kind),
        arg(op.arg),
        subject(op.subject),
        reply(op.reply),
        queue(op.queue),
        sid(op.sid),
        max_msgs(op.max_msgs),
        header_size_text(op.header_size_text),
        total_size_text(op.total_size_text),
        payload(op.payload),
        header_size(op.header_size),
        total_size(op.total_size) {}
  bool operator==(const RecordedOp&) const = default;
};

// How a parse ended: still waiting for bytes, or stuck on an error.
struct ParseOutcome {
  std::vector<RecordedOp> ops;
  ParseStatus status = ParseStatus::kNeedMore;
  ParseError error = ParseError::kNone;
  OpKind error_op = OpKind::kPing;
  bool at_op_boundary = true;

  bool same_end(const ParseOutcome& other) const {
    if (status != other.status || error != other.error) return false;
    if (status == ParseStatus::kNeedMore) return at_op_boundary == other.at_op_boundary;
    // The op being parsed is only meaningful for a bad argument line.
    return error != ParseError::kBadArguments || error_op == other.error_op;
  }
};

struct ParserSetup {
  Direction direction;
  ParserLimits limits;
  bool require_connect = false;
};

// Byte 0: bits 0-1 pick max_control_line, bits 2-3 max_payload, bit 6 require_connect (client ops only).
// ASCII digits keep every limit at its default and require_connect off, which keeps seed files readable.
inline ParserSetup setup_for(Direction direction, std::uint8_t mode) {
  static constexpr std::size_t kControlLines[] = {protocol::kDefaultMaxControlLine, 16, 100, 1024};
  static constexpr std::int64_t kPayloads[] = {protocol::kDefaultMaxPayload, 8, 200, 0};
  ParserSetup setup{direction, {}, false};
  setup.limits.max_control_line = kControlLines[(mode & 0x30) == 0x30 ? 0 : mode & 3];
  setup.limits.max_payload = kPayloads[(mode & 0x30) == 0x30 ? 0 : (mode >> 2) & 3];
  setup.require_connect = direction == Direction::kFromClient && (mode & 0x40) != 0;
  return setup;
}

inline bool is_blank_or_line_end(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
inline bool has_blank(std::string_view s) {
  return s.find_first_of(" \t") != std::string_view::npos;
}
inline bool has_any_separator(std::string_view s) {
  for (char c : s) {
    if (is_blank_or_line_end(c)) return true;
  }
  return false;
}
inline bool is_message_op(OpKind kind) {
  return kind == OpKind::kPub || kind == OpKind::kHpub || kind == OpKind::kMsg || kind == OpKind::kHmsg;
}

// What every op must satisfy on its own, whatever the input was.
inline void check_op(const ParserSetup& setup, const Op& op) {
  const bool from_client = setup.direction == Direction::kFromClient;
  switch (op.kind) {
    case OpKind::kConnect:
    case OpKind::kPub:
    case OpKind::kHpub:
    case OpKind::kSub:
    case OpKind::kUnsub:
      FUZZ_CHECK(from_client);
      break;
    case OpKind::kMsg:
    case OpKind::kHmsg:
      FUZZ_CHECK(!from_client);
      break;
    default:
      break;
  }
  FUZZ_CHECK(op.arg.size() <= setup.limits.max_control_line);
  if (is_message_op(op.kind)) {
    FUZZ_CHECK(!op.subject.empty() && !has_blank(op.subject) && !has_blank(op.reply));
    FUZZ_CHECK(op.total_size >= 0 && protocol::parse_size(op.total_size_text) == op.total_size);
    FUZZ_CHECK(static_cast<std::size_t>(op.total_size) == op.payload.size());
    const bool with_headers = op.kind == OpKind::kHpub || op.kind == OpKind::kHmsg;
    FUZZ_CHECK(with_headers != op.header_size_text.empty());
    if (with_headers) {
      FUZZ_CHECK(protocol::parse_size(op.header_size_text) == op.header_size);
      FUZZ_CHECK(op.header_size >= 0 && op.header_size <= op.total_size);
    } else {
      FUZZ_CHECK(op.header_size == -1);
    }
    if (setup.limits.max_payload > 0) FUZZ_CHECK(op.total_size <= setup.limits.max_payload);
  }
  if (op.kind == OpKind::kMsg || op.kind == OpKind::kHmsg) FUZZ_CHECK(!op.sid.empty() && !has_blank(op.sid));
  if (op.kind == OpKind::kSub) {
    FUZZ_CHECK(!op.subject.empty() && !op.sid.empty());
    FUZZ_CHECK(!has_any_separator(op.subject) && !has_any_separator(op.queue) && !has_any_separator(op.sid));
  }
  if (op.kind == OpKind::kUnsub) FUZZ_CHECK(!op.sid.empty() && !has_any_separator(op.max_msgs));
}

// Feeds chunks one at a time and records what comes out. Each chunk is copied into its own heap block,
// freed when the parser has consumed it.
class RecordingParse {
 public:
  explicit RecordingParse(const ParserSetup& setup) : setup_(setup), parser_(setup.direction, setup.limits) {
    parser_.set_require_connect(setup.require_connect);
    awaiting_connect_ = setup.require_connect;
  }

  // Returns false once the parser is stuck on an error.
  bool feed(std::string_view chunk, bool refeed_after_each_op = false) {
    if (outcome_.status == ParseStatus::kError) return false;
    auto block = copy(chunk);
    parser_.feed({block.get(), chunk.size()});
    for (;;) {
      Op op;
      const auto status = parser_.next(op);
      if (status == ParseStatus::kNeedMore) return true;
      if (status == ParseStatus::kError) {
        outcome_.status = status;
        outcome_.error = parser_.error();
        outcome_.error_op = parser_.error_op();
        FUZZ_CHECK(outcome_.error != ParseError::kNone);
        return false;
      }
      check_op(setup_, op);
      if (awaiting_connect_) {
        FUZZ_CHECK(op.kind == OpKind::kConnect);
        // The server lifts the requirement after an accepted CONNECT; so does this harness.
        parser_.set_require_connect(false);
        awaiting_connect_ = false;
      }
      outcome_.ops.emplace_back(op);
      if (refeed_after_each_op) {
        // Pause as the server does: keep the rest of the chunk, drop the chunk, feed the copy.
        const std::string_view rest = parser_.take_unconsumed();
        auto rest_block = copy(rest);
        block = std::move(rest_block);
        parser_.feed({block.get(), rest.size()});
      }
    }
  }

  ParseOutcome finish() {
    if (outcome_.status == ParseStatus::kNeedMore) outcome_.at_op_boundary = parser_.at_op_boundary();
    return std::move(outcome_);
  }

 private:
  static std::unique_ptr<char[]> copy(std::string_view bytes) {
    // One byte at least, so that an empty chunk still has its own block (and no null data pointer).
    auto block = std::make_unique<char[]>(bytes.size() + (bytes.empty() ? 1 : 0));
    if (!bytes.empty()) std::memcpy(block.get(), bytes.data(), bytes.size());
    return block;
  }

  ParserSetup setup_;
  Parser parser_;
  ParseOutcome outcome_;
  bool awaiting_connect_ = false;
};

inline void check_same(const ParseOutcome& whole, const ParseOutcome& other) {
  FUZZ_CHECK(whole.ops.size() == other.ops.size());
  for (std::size_t i = 0; i < whole.ops.size(); ++i)
    FUZZ_CHECK(whole.ops[i] == other.ops[i]);
  FUZZ_CHECK(whole.same_end(other));
}

// Writes a message op again with the frame writers and parses the result: the same fields come back.
inline void check_round_trip(Direction direction, const RecordedOp& op) {
  std::string frame;
  if (op.kind == OpKind::kMsg || op.kind == OpKind::kHmsg) {
    frame.resize(
        protocol::msg_line_size(op.subject, op.sid, op.reply, op.header_size_text, op.total_size_text));
    protocol::write_msg_line(frame.data(), op.subject, op.sid, op.reply, op.header_size_text,
                             op.total_size_text);
  } else if (op.kind == OpKind::kPub || op.kind == OpKind::kHpub) {
    const bool with_headers = op.kind == OpKind::kHpub;
    const auto header_size = static_cast<std::size_t>(with_headers ? op.header_size : 0);
    const auto total_size = static_cast<std::size_t>(op.total_size);
    frame.resize(protocol::pub_line_size(op.subject, op.reply, header_size, total_size, with_headers));
    protocol::write_pub_line(frame.data(), op.subject, op.reply, header_size, total_size, with_headers);
  } else if (op.kind == OpKind::kSub) {
    protocol::append_sub(frame, op.subject, op.queue, op.sid);
  } else {
    return;
  }
  if (is_message_op(op.kind)) frame.append(op.payload).append("\r\n");

  Parser parser(direction, {1 << 20, 0});
  parser.feed(frame);
  Op again;
  FUZZ_CHECK(parser.next(again) == ParseStatus::kOp);
  FUZZ_CHECK(again.kind == op.kind && again.subject == op.subject && again.reply == op.reply);
  FUZZ_CHECK(again.queue == op.queue && again.sid == op.sid && again.payload == op.payload);
  FUZZ_CHECK(again.header_size == op.header_size && again.total_size == op.total_size);
  FUZZ_CHECK(parser.next(again) == ParseStatus::kNeedMore && parser.at_op_boundary());
}

inline int fuzz_parser(Direction direction, const std::uint8_t* data, std::size_t size) {
  FuzzInput input(data, size);
  const ParserSetup setup = setup_for(direction, input.byte());
  const std::uint16_t offset_choice = input.u16();
  const std::size_t chunk_sizes[] = {1 + input.byte() % 16u, 1 + input.byte() % 64u,
                                     std::size_t{1} + input.byte()};
  const std::string_view stream = input.rest();

  RecordingParse whole(setup);
  whole.feed(stream);
  const ParseOutcome reference = whole.finish();

  RecordingParse halves(setup);
  const std::size_t offset = offset_choice % (stream.size() + 1);
  if (halves.feed(stream.substr(0, offset))) halves.feed(stream.substr(offset));
  check_same(reference, halves.finish());

  RecordingParse chunked(setup);
  for (std::size_t pos = 0, i = 0; pos < stream.size(); ++i) {
    const std::size_t n = chunk_sizes[i % 3];
    if (!chunked.feed(stream.substr(pos, n))) break;
    pos += n;
  }
  check_same(reference, chunked.finish());

  RecordingParse paused(setup);
  paused.feed(stream, /*refeed_after_each_op=*/true);
  check_same(reference, paused.finish());

  for (const auto& op : reference.ops)
    check_round_trip(direction, op);
  return 0;
}

}  // namespace tern::fuzz
