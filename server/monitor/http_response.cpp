#include "server/monitor/http_response.h"

#include <array>
#include <cstdio>

namespace tern::server::monitor {

std::string status_text(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "Request URI Too Long";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "status code " + std::to_string(status);
  }
}

std::string http_date(std::time_t when) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  if (gmtime_r(&when, &tm) == nullptr) return "Thu, 01 Jan 1970 00:00:00 GMT";
  char text[64];
  const int n =
      std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                    tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(text, n > 0 ? static_cast<std::size_t>(n) : 0);
}

namespace {

void append_header_text(std::string& out, std::string_view text) {
  for (const char c : text)
    out.push_back(c == '\r' || c == '\n' ? ' ' : c);
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  append_header_text(out, name);
  out += ": ";
  append_header_text(out, value);
  out += "\r\n";
}

}  // namespace

std::string serialize_response(const HttpResponse& response, const ResponseFraming& framing) {
  std::string out;
  out.reserve(256 + (framing.head ? 0 : response.body.size()));
  out += framing.http_minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += status_text(response.status);
  out += "\r\n";
  if (!response.content_type.empty()) append_header(out, "Content-Type", response.content_type);
  for (const auto& [name, value] : response.headers)
    append_header(out, name, value);
  append_header(out, "Date", http_date(framing.date));
  append_header(out, "Content-Length", std::to_string(response.body.size()));
  if (framing.connection == ConnectionHeader::kClose) append_header(out, "Connection", "close");
  if (framing.connection == ConnectionHeader::kKeepAlive) append_header(out, "Connection", "keep-alive");
  out += "\r\n";
  if (!framing.head) out += response.body;
  return out;
}

std::string protocol_error_response(int status, std::string_view detail) {
  std::string reason = std::to_string(status) + " " + status_text(status);
  if (!detail.empty()) {
    reason += ": ";
    reason += detail;
  }
  return "HTTP/1.1 " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n" +
         reason;
}

}  // namespace tern::server::monitor
