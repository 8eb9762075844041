// Writers for the protocol's frames. The hot ones (MSG and HMSG control lines, PUB for the client)
// write into memory the caller has reserved, sized by the matching *_size function; the rest append
// to a std::string.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace tern::protocol {

inline constexpr std::string_view kPingFrame = "PING\r\n";
inline constexpr std::string_view kPongFrame = "PONG\r\n";
inline constexpr std::string_view kOkFrame = "+OK\r\n";

namespace detail {
// An empty view may carry a null data pointer, which memcpy must not be given even for zero bytes.
inline char* put(char* out, std::string_view s) noexcept {
  if (!s.empty()) std::memcpy(out, s.data(), s.size());
  return out + s.size();
}
}  // namespace detail

// The bytes of `MSG <subject> <sid> [reply] <size>\r\n`, or `HMSG ... <hdr> <size>\r\n` when
// header_size_text is not empty. Sizes are passed as the digits to write, which the server reuses
// from the publisher's own control line.
inline std::size_t msg_line_size(std::string_view subject, std::string_view sid, std::string_view reply,
                                 std::string_view header_size_text, std::string_view total_size_text,
                                 bool blank_reply_token = false) noexcept {
  std::size_t n = 4 + subject.size() + 1 + sid.size() + 1 + total_size_text.size() + 2;
  if (!reply.empty() || blank_reply_token) n += reply.size() + 1;
  if (!header_size_text.empty()) n += 1 + header_size_text.size() + 1;
  return n;
}

// Precondition: `out` has room for msg_line_size(...) bytes. Returns the end of what was written.
// With `blank_reply_token` and no reply, an empty reply token is written (two spaces after the sid), as
// nats-server frames its JetStream internals' messages.
inline char* write_msg_line(char* out, std::string_view subject, std::string_view sid, std::string_view reply,
                            std::string_view header_size_text, std::string_view total_size_text,
                            bool blank_reply_token = false) noexcept {
  using detail::put;
  out = put(out, header_size_text.empty() ? std::string_view("MSG ") : std::string_view("HMSG "));
  out = put(out, subject);
  *out++ = ' ';
  out = put(out, sid);
  *out++ = ' ';
  if (!reply.empty() || blank_reply_token) {
    out = put(out, reply);
    *out++ = ' ';
  }
  if (!header_size_text.empty()) {
    out = put(out, header_size_text);
    *out++ = ' ';
  }
  out = put(out, total_size_text);
  *out++ = '\r';
  *out++ = '\n';
  return out;
}

// The status message nats-server sends to a requester when its request reached no subscriber (the
// publisher declared both headers and no_responders): an HMSG on the reply subject, to the sid of the
// publisher's own subscription that the reply subject matches, whose 16 bytes of headers are the whole
// message: `HMSG <reply> <sid> 16 16\r\nNATS/1.0 503\r\n\r\n\r\n`.
inline constexpr std::string_view kNoRespondersHeaders = "NATS/1.0 503\r\n\r\n";
inline constexpr std::string_view kNoRespondersSizeText = "16";
static_assert(kNoRespondersHeaders.size() == 16, "kNoRespondersSizeText must be the size of the headers");

inline std::size_t no_responders_size(std::string_view reply, std::string_view sid) noexcept {
  return msg_line_size(reply, sid, {}, kNoRespondersSizeText, kNoRespondersSizeText) +
         kNoRespondersHeaders.size() + 2;
}

// Precondition: `out` has room for no_responders_size(reply, sid) bytes. Returns the end of what was
// written.
inline char* write_no_responders(char* out, std::string_view reply, std::string_view sid) noexcept {
  out = write_msg_line(out, reply, sid, {}, kNoRespondersSizeText, kNoRespondersSizeText);
  out = detail::put(out, kNoRespondersHeaders);
  *out++ = '\r';
  *out++ = '\n';
  return out;
}

// The bytes of `PUB <subject> [reply] <size>\r\n` or `HPUB <subject> [reply] <hdr> <size>\r\n`.
std::size_t pub_line_size(std::string_view subject, std::string_view reply, std::size_t header_size,
                          std::size_t total_size, bool with_headers) noexcept;
char* write_pub_line(char* out, std::string_view subject, std::string_view reply, std::size_t header_size,
                     std::size_t total_size, bool with_headers) noexcept;

// Writes the decimal digits of `n` and returns the end. At most 20 bytes.
char* write_decimal(char* out, std::size_t n) noexcept;

void append_sub(std::string& out, std::string_view subject, std::string_view queue, std::string_view sid);
void append_unsub(std::string& out, std::string_view sid, std::size_t max_msgs);  // max_msgs 0: none.
// `-ERR '<text>'\r\n`.
void append_err(std::string& out, std::string_view text);

}  // namespace tern::protocol
