// A blocking TCP client that speaks raw bytes, for tests that must see exactly what a server sends.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tern::test {

using Millis = std::chrono::milliseconds;

// What an expect call saw. `received` holds the bytes that were compared (on a mismatch: everything that
// arrived before the verdict, which is what a failure message should show).
struct ExpectResult {
  bool matched = false;
  // Index into the alternatives of the one that matched.
  std::size_t which = 0;
  std::string received;
  bool closed = false;
  bool timed_out = false;
  std::string describe() const;
};

// One connection to 127.0.0.1:port. Bytes that arrive beyond what an expect consumed stay buffered for
// the next call, so a test reads the stream in order without losing anything.
class RawConnection {
 public:
  // Connects, retrying a refused connect until the timeout. Throws std::runtime_error on failure.
  RawConnection(int port, Millis timeout = Millis(5000));
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  RawConnection(RawConnection&& other) noexcept;
  RawConnection& operator=(RawConnection&& other) noexcept;

  // Reads one line up to and including "\r\n"; std::nullopt on timeout or close.
  std::optional<std::string> read_line(Millis timeout);
  // Reads the greeting line, which must start with "INFO ". Throws std::runtime_error otherwise.
  std::string read_info_line(Millis timeout = Millis(5000));

  // Sends all bytes. Returns false when the peer has gone (never raises SIGPIPE).
  bool send(std::string_view bytes);

  // Reads until the received bytes equal `expected`, or can no longer become equal, or the timeout ends.
  ExpectResult expect(std::string_view expected, Millis timeout);
  // Like expect, for several acceptable byte strings; the first one that matches wins.
  ExpectResult expect_any(const std::vector<std::string>& alternatives, Millis timeout);
  // Everything that arrives within the window (stops early if the peer closes).
  std::string read_for(Millis window);
  // Waits for the peer to close. Any bytes that arrive first are returned in `received` and make the
  // result a mismatch.
  ExpectResult expect_closed(Millis timeout);

  bool peer_closed() const { return peer_closed_; }
  void close();

 private:
  // Waits up to `timeout` for more bytes and appends them to pending_. Returns false on timeout or close.
  bool read_more(Millis timeout);

  int fd_ = -1;
  std::string pending_;
  bool peer_closed_ = false;
};

// The INFO line's JSON object as (key, raw JSON value) pairs, in the order sent. A small scanner for the
// flat objects a server sends: strings, numbers, booleans, null, and nested arrays or objects kept raw.
// Throws std::runtime_error on malformed input.
std::vector<std::pair<std::string, std::string>> parse_info_fields(std::string_view info_line);

// Looks up a key in parsed fields; std::nullopt when absent.
std::optional<std::string> info_field(const std::vector<std::pair<std::string, std::string>>& fields,
                                      std::string_view key);

// Renders bytes for a failure message: printable ASCII as is, \r \n \t \\ \" escaped, others as \xHH.
std::string escape_bytes(std::string_view bytes);

}  // namespace tern::test
