#include "server/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <initializer_list>

namespace tern::server {
namespace {

constexpr std::size_t kInlineLine = 4096;

std::string_view level_tag(LogLevel level) {
  switch (level) {
    case LogLevel::kFatal:
      return "[FTL] ";
    case LogLevel::kError:
      return "[ERR] ";
    case LogLevel::kWarning:
      return "[WRN] ";
    case LogLevel::kInfo:
      return "[INF] ";
    case LogLevel::kDebug:
      return "[DBG] ";
    case LogLevel::kTrace:
      return "[TRC] ";
  }
  return "[???] ";
}

// Collects a line in a stack buffer and moves to the heap only for long lines. If the heap is out of
// memory the line is cut rather than lost.
class LineBuffer {
 public:
  void append(std::string_view text) noexcept {
    if (!on_heap_) {
      if (size_ + text.size() <= kInlineLine) {
        std::memcpy(inline_ + size_, text.data(), text.size());
        size_ += text.size();
        return;
      }
      try {
        heap_.assign(inline_, size_);
        on_heap_ = true;
      } catch (...) {
        const std::size_t room = kInlineLine - size_;
        std::memcpy(inline_ + size_, text.data(), room);
        size_ = kInlineLine;
        return;
      }
    }
    try {
      heap_.append(text);
    } catch (...) {
      // Keep what fits.
    }
  }
  void append_number(long long value) noexcept {
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    append(std::string_view(digits, static_cast<std::size_t>(result.ptr - digits)));
  }
  // The line with a final '\n'.
  std::string_view finish() noexcept {
    if (on_heap_) {
      try {
        heap_ += '\n';
      } catch (...) {
        if (!heap_.empty()) heap_.back() = '\n';
      }
      return heap_;
    }
    inline_[size_++] = '\n';  // inline_ has one byte more than kInlineLine for this.
    return std::string_view(inline_, size_);
  }

 private:
  char inline_[kInlineLine + 1];
  std::size_t size_ = 0;
  std::string heap_;
  bool on_heap_ = false;
};

// "2006/01/02 15:04:05.000000 " in local time, as nats-server writes it.
void append_timestamp(LineBuffer& line) noexcept {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  std::tm local{};
  localtime_r(&now.tv_sec, &local);
  char text[40];
  const int length = std::snprintf(text, sizeof text, "%04d/%02d/%02d %02d:%02d:%02d.%06ld ",
                                   local.tm_year + 1900, local.tm_mon + 1, local.tm_mday, local.tm_hour,
                                   local.tm_min, local.tm_sec, static_cast<long>(now.tv_nsec / 1000));
  if (length > 0) line.append(std::string_view(text, static_cast<std::size_t>(length)));
}

void write_all(int fd, std::string_view bytes) noexcept {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return;  // Nowhere to report a failing log; drop the line.
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

int open_log_file(const std::string& path, std::string& error) noexcept {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0660);
  if (fd < 0) {
    try {
      error = "error opening file: open " + path + ": " + std::strerror(errno);
    } catch (...) {
      error.clear();
    }
  }
  return fd;
}

// Length of the valid UTF-8 sequence starting at text[i], or 0 if it is not one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return length;
}

}  // namespace

Logger::Logger() noexcept : fd_(STDERR_FILENO), pid_(static_cast<int>(::getpid())) {}

Logger::~Logger() {
  if (owns_fd_) ::close(fd_.load());
}

std::optional<std::string> Logger::configure(const LogSettings& settings) noexcept {
  logtime_ = settings.logtime;
  debug_ = settings.debug;
  trace_ = settings.trace;
  pid_ = static_cast<int>(::getpid());
  int new_fd = STDERR_FILENO;
  if (!settings.file.empty()) {
    std::string error;
    new_fd = open_log_file(settings.file, error);
    if (new_fd < 0) return error;
  }
  const int old_fd = fd_.exchange(new_fd);
  if (owns_fd_) ::close(old_fd);
  owns_fd_ = !settings.file.empty();
  try {
    file_ = settings.file;
  } catch (...) {
    file_.clear();
  }
  return std::nullopt;
}

std::optional<std::string> Logger::reopen() noexcept {
  if (!owns_fd_) return std::nullopt;
  std::string error;
  const int new_fd = open_log_file(file_, error);
  if (new_fd < 0) return error;
  // dup2 replaces the descriptor in one step, so a concurrent write goes to the old or the new file.
  ::dup2(new_fd, fd_.load());
  ::close(new_fd);
  return std::nullopt;
}

void Logger::write_line(LogLevel level, std::initializer_list<std::string_view> parts) noexcept {
  LineBuffer line;
  line.append("[");
  line.append_number(pid_);
  line.append("] ");
  if (logtime_) append_timestamp(line);
  line.append(level_tag(level));
  for (std::string_view part : parts)
    line.append(part);
  write_all(fd_.load(std::memory_order_relaxed), line.finish());
}

void Logger::log(LogLevel level, std::string_view text) noexcept {
  if (!enabled(level)) return;
  write_line(level, {text});
}

void Logger::logf(LogLevel level, const char* format, ...) noexcept {
  if (!enabled(level)) return;
  char text[kInlineLine];
  va_list args;
  va_start(args, format);
  const int length = std::vsnprintf(text, sizeof text, format, args);
  va_end(args);
  if (length < 0) return;
  write_line(level, {std::string_view(text, std::min(static_cast<std::size_t>(length), sizeof text - 1))});
}

void Logger::client_log(LogLevel level, std::string_view ident, std::string_view text) noexcept {
  if (!enabled(level)) return;
  write_line(level, {ident, " - ", text});
}

void Logger::client_trace(std::string_view ident, std::string_view arrow, std::string_view op,
                          std::string_view args) noexcept {
  if (!trace_) return;
  if (args.empty()) {
    write_line(LogLevel::kTrace, {ident, " - ", arrow, " [", op, "]"});
  } else {
    write_line(LogLevel::kTrace, {ident, " - ", arrow, " [", op, " ", args, "]"});
  }
}

void Logger::trace_in(std::string_view ident, std::string_view op, std::string_view args) noexcept {
  client_trace(ident, "<<-", op, args);
}

void Logger::trace_out(std::string_view ident, std::string_view op, std::string_view args) noexcept {
  client_trace(ident, "->>", op, args);
}

void Logger::trace_internal(std::string_view ident, std::string_view op, std::string_view args) noexcept {
  client_trace(ident, "<->", op, args);
}

void Logger::trace_in_payload(std::string_view ident, std::string_view payload) noexcept {
  if (!trace_) return;
  try {
    std::string text = "<<- MSG_PAYLOAD: [";
    append_go_quoted(text, payload);
    text += ']';
    write_line(LogLevel::kTrace, {ident, " - ", text});
  } catch (...) {
    write_line(LogLevel::kTrace, {ident, " - <<- MSG_PAYLOAD: [out of memory]"});
  }
}

std::string client_ident(std::string_view remote_address, std::uint64_t cid) {
  std::string ident(remote_address);
  ident += " - cid:";
  ident += std::to_string(cid);
  return ident;
}

std::string client_ident_with_name(std::string_view base, std::string_view version, std::string_view lang,
                                   std::string_view name) {
  std::string label;
  if (!version.empty()) {
    label += 'v';
    label += version;
  }
  for (std::string_view part : {lang, name}) {
    if (part.empty()) continue;
    if (!label.empty()) label += ':';
    label += part;
  }
  std::string ident(base);
  if (label.empty()) return ident;
  ident += " - ";
  append_go_quoted(ident, label);
  return ident;
}

void append_go_quoted(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t length = utf8_sequence_length(text, i);
      if (length > 0) {
        out.append(text.substr(i, length));
        i += length;
        continue;
      }
    }
    ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\a':
        out += "\\a";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\v':
        out += "\\v";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c >= 0x7F) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

}  // namespace tern::server
