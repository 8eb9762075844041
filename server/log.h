// The server log, in nats-server's line format:
//   [1234] 2006/01/02 15:04:05.000000 [INF] text
//   [1234] [INF] text                                      (timestamps off: -T=false)
//   [1234] 2006/01/02 15:04:05.000000 [TRC] 127.0.0.1:54321 - cid:5 - "v1.2:go:name" - <<- [PING]
// Levels FTL, ERR, WRN and INF are always on; DBG is on with -D and TRC with -V, independently (as in
// nats-server, -V alone shows traces but not debug lines). A line whose level is off costs one branch;
// callers that build expensive text check debug_enabled()/trace_enabled() first.
//
// Every line is written with one write(2) call, so lines from several threads never interleave. Nothing
// here throws or allocates for lines shorter than 4 KiB.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace tern::server {

enum class LogLevel : std::uint8_t { kFatal, kError, kWarning, kInfo, kDebug, kTrace };

struct LogSettings {
  std::string file;  // Empty: stderr.
  bool logtime = true;
  bool debug = false;
  bool trace = false;
};

class Logger {
 public:
  // Writes to stderr with timestamps, INF and above.
  Logger() noexcept;
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // Applies `settings`: opens the file for appending (created with mode 0660) or uses stderr. When the
  // file cannot be opened, keeps the previous destination and returns nats-server's message
  // ("error opening file: ..."). Call before other threads log.
  std::optional<std::string> configure(const LogSettings& settings) noexcept;

  // Opens the log file again (SIGUSR1, after rotation) and swaps it in atomically. A no-op on stderr.
  std::optional<std::string> reopen() noexcept;

  bool debug_enabled() const noexcept { return debug_; }
  bool trace_enabled() const noexcept { return trace_; }
  bool enabled(LogLevel level) const noexcept {
    return level == LogLevel::kTrace ? trace_ : level == LogLevel::kDebug ? debug_ : true;
  }

  void log(LogLevel level, std::string_view text) noexcept;
  // printf-style; the text is formatted only when the level is on.
  void logf(LogLevel level, const char* format, ...) noexcept __attribute__((format(printf, 3, 4)));

  void fatal(std::string_view text) noexcept { log(LogLevel::kFatal, text); }  // Logs only; the caller exits.
  void error(std::string_view text) noexcept { log(LogLevel::kError, text); }
  void warn(std::string_view text) noexcept { log(LogLevel::kWarning, text); }
  void info(std::string_view text) noexcept { log(LogLevel::kInfo, text); }
  void debug(std::string_view text) noexcept { log(LogLevel::kDebug, text); }
  void trace(std::string_view text) noexcept { log(LogLevel::kTrace, text); }

  // Lines about one client: "<ident> - <text>", where ident comes from client_ident().
  void client_log(LogLevel level, std::string_view ident, std::string_view text) noexcept;
  void client_error(std::string_view ident, std::string_view text) noexcept {
    client_log(LogLevel::kError, ident, text);
  }
  void client_debug(std::string_view ident, std::string_view text) noexcept {
    client_log(LogLevel::kDebug, ident, text);
  }

  // Protocol traces (TRC): "<ident> - <<- [OP args]" for what the client sent, "->> [OP args]" for what
  // the server sent, and "<-> [OP args]" for what the server did on the client's behalf (e.g. DELSUB).
  // `args` may be empty.
  void trace_in(std::string_view ident, std::string_view op, std::string_view args = {}) noexcept;
  void trace_out(std::string_view ident, std::string_view op, std::string_view args = {}) noexcept;
  void trace_internal(std::string_view ident, std::string_view op, std::string_view args = {}) noexcept;
  // `<<- MSG_PAYLOAD: ["hello"]`, the payload quoted like Go's %q.
  void trace_in_payload(std::string_view ident, std::string_view payload) noexcept;

 private:
  void client_trace(std::string_view ident, std::string_view arrow, std::string_view op,
                    std::string_view args) noexcept;
  void write_line(LogLevel level, std::initializer_list<std::string_view> parts) noexcept;

  std::atomic<int> fd_;
  bool owns_fd_ = false;
  bool logtime_ = true;
  bool debug_ = false;
  bool trace_ = false;
  int pid_ = 0;
  std::string file_;
};

// "127.0.0.1:54321 - cid:5", how nats-server names a client before CONNECT.
std::string client_ident(std::string_view remote_address, std::uint64_t cid);

// The ident after CONNECT: `base - "v<version>:<lang>:<name>"`, each part only when given, the whole
// quoted like Go's %q; `base` unchanged when all three are empty.
std::string client_ident_with_name(std::string_view base, std::string_view version, std::string_view lang,
                                   std::string_view name);

// Appends `text` in double quotes with Go %q escapes (\n, \t, \", \\, \xNN for bytes that are not
// printable UTF-8).
void append_go_quoted(std::string& out, std::string_view text);

}  // namespace tern::server
