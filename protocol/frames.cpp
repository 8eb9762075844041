#include "protocol/frames.h"

#include <charconv>

namespace tern::protocol {

char* write_decimal(char* out, std::size_t n) noexcept {
  return std::to_chars(out, out + 20, n).ptr;
}

namespace {
std::size_t decimal_size(std::size_t n) noexcept {
  std::size_t digits = 1;
  while (n >= 10)
    n /= 10, ++digits;
  return digits;
}
}  // namespace

std::size_t pub_line_size(std::string_view subject, std::string_view reply, std::size_t header_size,
                          std::size_t total_size, bool with_headers) noexcept {
  std::size_t n = 4 + subject.size() + 1 + decimal_size(total_size) + 2;
  if (!reply.empty()) n += reply.size() + 1;
  if (with_headers) n += 1 + decimal_size(header_size) + 1;
  return n;
}

char* write_pub_line(char* out, std::string_view subject, std::string_view reply, std::size_t header_size,
                     std::size_t total_size, bool with_headers) noexcept {
  using detail::put;
  out = put(out, with_headers ? std::string_view("HPUB ") : std::string_view("PUB "));
  out = put(out, subject);
  *out++ = ' ';
  if (!reply.empty()) {
    out = put(out, reply);
    *out++ = ' ';
  }
  if (with_headers) {
    out = write_decimal(out, header_size);
    *out++ = ' ';
  }
  out = write_decimal(out, total_size);
  *out++ = '\r';
  *out++ = '\n';
  return out;
}

void append_sub(std::string& out, std::string_view subject, std::string_view queue, std::string_view sid) {
  out.append("SUB ").append(subject).append(" ");
  if (!queue.empty()) out.append(queue).append(" ");
  out.append(sid).append("\r\n");
}

void append_unsub(std::string& out, std::string_view sid, std::size_t max_msgs) {
  out.append("UNSUB ").append(sid);
  if (max_msgs != 0) out.append(" ").append(std::to_string(max_msgs));
  out.append("\r\n");
}

void append_err(std::string& out, std::string_view text) {
  out.append("-ERR '").append(text).append("'\r\n");
}

}  // namespace tern::protocol
