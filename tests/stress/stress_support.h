// Support for the stress tests: scaling, resource limits, the server's memory, and an epoll loop that
// drives thousands of non-blocking client connections from one thread.
//
// Every connection reads in large chunks and parses with protocol::Parser(kFromServer), so that the test
// keeps up with a flooding server (a line-at-a-time reader would be cut as a slow consumer, correctly).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/parser.h"
#include "tests/support/server_process.h"

namespace tern::stress {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

// How much of the full workload to run: TERN_STRESS_SCALE when set (e.g. 0.1 while developing, 4 for a
// long run), else 1, or 0.25 in sanitizer builds, where ternd and the tests run several times slower.
double scale();
// `full` scaled, and never below `minimum`.
std::size_t scaled(std::size_t full, std::size_t minimum = 1);
bool sanitized();

// Raises this process's soft RLIMIT_NOFILE towards `wanted` (within the hard limit); returns the soft limit
// now. Children started afterwards inherit it.
std::size_t raise_fd_limit(std::size_t wanted);
// Sets the soft limit (for starting a child with a low one); returns the previous soft limit.
std::size_t set_soft_fd_limit(std::size_t limit);
// The soft "Max open files" of another process, from /proc/<pid>/limits; 0 when unreadable.
std::size_t fd_limit_of(pid_t pid);
// How many descriptors another process has open, from /proc/<pid>/fd; 0 when unreadable.
std::size_t open_fd_count(pid_t pid);
// VmRSS and VmHWM (peak RSS) of a process in KiB, from /proc/<pid>/status; -1 when unreadable.
long rss_kib(pid_t pid);
long peak_rss_kib(pid_t pid);
// User plus system CPU time a process has used, from /proc/<pid>/stat.
std::chrono::milliseconds cpu_time(pid_t pid);

// A TCP connection to 127.0.0.1:port made non-blocking once connected; -1 when the connect failed.
int connect_loopback(int port);

// A payload that carries who sent it and its sequence number: "<publisher> <sequence> " padded with 'x'.
std::string sequenced_payload(std::size_t publisher, std::uint64_t sequence, std::size_t size);
// The publisher and sequence number of such a payload; false when it is not one.
bool parse_sequenced_payload(std::string_view payload, std::size_t& publisher, std::uint64_t& sequence);

// Starts ternd under a hard RLIMIT_NOFILE of `limit` (through prlimit), which it cannot raise.
std::unique_ptr<test::ServerProcess> start_ternd_with_hard_fd_limit(std::size_t limit);

// ternd on a random port, optionally with a configuration file.
test::ServerLaunch ternd_launch(std::string config_text = {});
// Starts ternd with a soft RLIMIT_NOFILE of `soft_limit` (this process's own limit is restored after).
std::unique_ptr<test::ServerProcess> start_ternd_with_fd_limit(std::size_t soft_limit);

// Stops the server and returns what its log says about memory errors, leaks or undefined behaviour
// (in sanitizer builds); empty when it says nothing.
std::string stop_and_collect_sanitizer_reports(test::ServerProcess& server);

// What one subscriber received from a set of publishers that number their messages from 0.
struct SequenceTracker {
  explicit SequenceTracker(std::size_t publishers) : next(publishers, 0) {}
  // The body of a MSG or HMSG (without headers).
  void on_body(std::string_view body);
  std::uint64_t min_next() const;

  std::vector<std::uint64_t> next;  // Per publisher: the sequence number expected next.
  std::uint64_t received = 0;
  std::uint64_t out_of_order = 0;  // Gaps, duplicates or reordering.
  std::uint64_t malformed = 0;
};

// The body of a MSG or HMSG op: its payload without the headers.
std::string_view message_body(const protocol::Op& op);

class Loop;
class Connection;

// Routes the MSG and HMSG ops of `connection` to `tracker`.
void track_messages(Connection& connection, SequenceTracker& tracker);

// Publishers each sending numbered messages to their subject, as fast as the slowest of `readers` keeps
// up: a publisher stays at most `window` messages ahead of every reader, so that no reader that keeps
// reading is ever a slow consumer. Odd publishers send HPUB with a header when `headers` is set.
struct Flood {
  std::vector<Connection*> publishers;
  std::vector<std::string> subjects;  // One per publisher.
  std::vector<const SequenceTracker*> readers;
  std::uint64_t messages_per_publisher = 0;
  std::size_t payload_size = 64;
  std::uint64_t window = 256;
  bool headers = false;
};
// Runs the flood until every reader has everything (true) or the timeout passes (false). `on_poll` runs
// after every poll, e.g. to sample the server's memory.
bool run_flood(Loop& loop, const Flood& flood, Millis timeout, const std::function<void()>& on_poll = {});

// One client connection in a Loop. PINGs from the server are answered; every other op goes to on_op.
class Connection {
 public:
  using OpHandler = std::function<void(Connection&, const protocol::Op&)>;

  // Queues bytes and writes what the socket takes now; the rest goes out as the socket drains.
  void send(std::string_view bytes);
  // Closes the socket now. With `reset`, sends an RST instead of a FIN (SO_LINGER 0).
  void close(bool reset = false);

  bool closed() const noexcept { return fd_ < 0; }
  // True when the server closed (EOF or reset), as opposed to close() from the test.
  bool closed_by_peer() const noexcept { return closed_by_peer_; }
  bool got_info() const noexcept { return got_info_; }
  std::size_t pongs() const noexcept { return pongs_; }
  std::size_t unsent_bytes() const noexcept { return out_.size() - out_pos_; }
  // The -ERR texts received, in order.
  const std::vector<std::string>& errors() const noexcept { return errors_; }
  // In raw mode, every byte after the INFO line, unparsed (for comparisons with a reference server).
  const std::string& raw() const noexcept { return raw_; }
  bool parse_failed() const noexcept { return parse_failed_; }
  std::size_t index() const noexcept { return index_; }
  int fd() const noexcept { return fd_; }

  // While paused nothing is read: the server's writes pile up in the socket buffers, then in its queue.
  void pause_reading(bool paused);

  OpHandler on_op;

 private:
  friend class Loop;
  Connection(Loop& loop, int fd, std::size_t index, bool raw_mode);
  void on_readable(char* buffer, std::size_t size);
  void on_writable();
  void flush();
  void update_interest();

  Loop& loop_;
  int fd_;
  std::size_t index_;
  bool raw_mode_;
  protocol::Parser parser_{protocol::Direction::kFromServer, {1 << 20, 0}};
  std::string out_;
  std::size_t out_pos_ = 0;
  bool watching_writable_ = false;
  bool paused_ = false;
  bool closed_by_peer_ = false;
  bool got_info_ = false;
  bool parse_failed_ = false;
  std::size_t pongs_ = 0;
  std::vector<std::string> errors_;
  std::string raw_;
  std::string pending_info_line_;  // Raw mode: the INFO line until its end arrives.
};

// An epoll loop over many Connections, all on the calling thread.
class Loop {
 public:
  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // Adopts a connected non-blocking socket. The reference stays valid as long as the Loop.
  Connection& add(int fd, bool raw_mode = false);
  // Connects and adds; throws std::runtime_error when the connect fails.
  Connection& connect(int port, bool raw_mode = false);

  // Handles whatever is ready, waiting up to `timeout` for something to be.
  void poll(Millis timeout = Millis(10));
  // Polls until `done` returns true (true) or the timeout passes (false).
  bool run_until(const std::function<bool()>& done, Millis timeout);
  // Polls for the whole of `duration`.
  void run_for(Millis duration);

  std::deque<std::unique_ptr<Connection>>& connections() noexcept { return connections_; }
  std::size_t open_count() const;

 private:
  friend class Connection;
  int epoll_fd_;
  std::deque<std::unique_ptr<Connection>> connections_;
  std::vector<char> buffer_;
};

}  // namespace tern::stress
