#include "tests/stress/stress_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace tern::stress {

bool sanitized() {
#ifdef TERN_STRESS_SANITIZED
  return true;
#else
  return false;
#endif
}

double scale() {
  if (const char* text = std::getenv("TERN_STRESS_SCALE"); text != nullptr && *text != '\0') {
    const double value = std::strtod(text, nullptr);
    if (value > 0) return value;
  }
  return sanitized() ? 0.25 : 1.0;
}

std::size_t scaled(std::size_t full, std::size_t minimum) {
  const auto n = static_cast<std::size_t>(static_cast<double>(full) * scale());
  return n < minimum ? minimum : n;
}

std::size_t raise_fd_limit(std::size_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY || limit.rlim_max >= wanted ? wanted : limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return static_cast<std::size_t>(limit.rlim_cur);
}

std::size_t set_soft_fd_limit(std::size_t soft) {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  const auto previous = static_cast<std::size_t>(limit.rlim_cur);
  limit.rlim_cur = soft;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  return previous;
}

std::size_t fd_limit_of(pid_t pid) {
  std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(limits, line)) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream fields(line.substr(std::strlen("Max open files")));
    std::size_t soft = 0;
    fields >> soft;
    return soft;
  }
  return 0;
}

namespace {

long status_field_kib(pid_t pid, std::string_view field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) != 0) continue;
    return std::strtol(line.c_str() + field.size(), nullptr, 10);
  }
  return -1;
}

}  // namespace

std::size_t open_fd_count(pid_t pid) {
  std::error_code error;
  std::filesystem::directory_iterator entries("/proc/" + std::to_string(pid) + "/fd", error);
  if (error) return 0;
  return static_cast<std::size_t>(std::distance(entries, std::filesystem::directory_iterator()));
}

long rss_kib(pid_t pid) {
  return status_field_kib(pid, "VmRSS:");
}

long peak_rss_kib(pid_t pid) {
  return status_field_kib(pid, "VmHWM:");
}

std::chrono::milliseconds cpu_time(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // The command name is in parentheses and may hold blanks: count fields after the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return Millis(0);
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  long ticks = 0;
  // After ')': state is field 3; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::strtol(field.c_str(), nullptr, 10);
  }
  return Millis(ticks * 1000 / ::sysconf(_SC_CLK_TCK));
}

int connect_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

std::string sequenced_payload(std::size_t publisher, std::uint64_t sequence, std::size_t size) {
  std::string payload = std::to_string(publisher);
  payload.push_back(' ');
  payload.append(std::to_string(sequence));
  payload.push_back(' ');
  if (payload.size() < size) payload.append(size - payload.size(), 'x');
  return payload;
}

bool parse_sequenced_payload(std::string_view payload, std::size_t& publisher, std::uint64_t& sequence) {
  const auto first = payload.find(' ');
  if (first == std::string_view::npos) return false;
  const auto second = payload.find(' ', first + 1);
  if (second == std::string_view::npos) return false;
  char* end = nullptr;
  const std::string publisher_text(payload.substr(0, first));
  const std::string sequence_text(payload.substr(first + 1, second - first - 1));
  publisher = std::strtoull(publisher_text.c_str(), &end, 10);
  if (end == publisher_text.c_str() || *end != '\0') return false;
  sequence = std::strtoull(sequence_text.c_str(), &end, 10);
  return end != sequence_text.c_str() && *end == '\0';
}

test::ServerLaunch ternd_launch(std::string config_text) {
  test::ServerLaunch launch;
  launch.executable = TERN_TERND_PATH;
  launch.config_text = std::move(config_text);
  return launch;
}

std::unique_ptr<test::ServerProcess> start_ternd_with_hard_fd_limit(std::size_t limit) {
  // ternd raises its soft limit to the hard one, so a hard limit is the only way to hold it down.
  test::ServerLaunch launch = ternd_launch();
  launch.command_prefix = {"/usr/bin/prlimit",
                           "--nofile=" + std::to_string(limit) + ":" + std::to_string(limit)};
  return std::make_unique<test::ServerProcess>(launch);
}

std::unique_ptr<test::ServerProcess> start_ternd_with_fd_limit(std::size_t soft_limit) {
  raise_fd_limit(4096);
  const std::size_t previous = set_soft_fd_limit(soft_limit);
  try {
    auto server = std::make_unique<test::ServerProcess>(ternd_launch());
    set_soft_fd_limit(previous);
    return server;
  } catch (...) {
    set_soft_fd_limit(previous);
    throw;
  }
}

std::string stop_and_collect_sanitizer_reports(test::ServerProcess& server) {
  server.stop();
  const std::string log = server.log_text();
  std::string reports;
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
    for (auto at = log.find(marker); at != std::string::npos; at = log.find(marker, at + 1))
      reports.append(log, at, log.find('\n', at) - at).push_back('\n');
  }
  return reports;
}

void SequenceTracker::on_body(std::string_view body) {
  std::size_t publisher = 0;
  std::uint64_t sequence = 0;
  if (!parse_sequenced_payload(body, publisher, sequence) || publisher >= next.size()) {
    ++malformed;
    return;
  }
  if (sequence != next[publisher]) ++out_of_order;
  next[publisher] = sequence + 1;
  ++received;
}

std::uint64_t SequenceTracker::min_next() const {
  std::uint64_t least = UINT64_MAX;
  for (auto n : next)
    least = std::min(least, n);
  return least;
}

std::string_view message_body(const protocol::Op& op) {
  return op.header_size > 0 ? op.payload.substr(static_cast<std::size_t>(op.header_size)) : op.payload;
}

void track_messages(Connection& connection, SequenceTracker& tracker) {
  connection.on_op = [&tracker](Connection&, const protocol::Op& op) { tracker.on_body(message_body(op)); };
}

bool run_flood(Loop& loop, const Flood& flood, Millis timeout, const std::function<void()>& on_poll) {
  const auto deadline = Clock::now() + timeout;
  std::vector<std::uint64_t> sent(flood.publishers.size(), 0);
  const std::string header = "NATS/1.0\r\nStress: yes\r\n\r\n";
  auto everything_arrived = [&] {
    for (const auto* reader : flood.readers)
      if (reader->min_next() < flood.messages_per_publisher) return false;
    return true;
  };
  std::string frames;
  while (!everything_arrived()) {
    if (Clock::now() >= deadline) return false;
    for (std::size_t p = 0; p < flood.publishers.size(); ++p) {
      std::uint64_t allowed = flood.messages_per_publisher;
      for (const auto* reader : flood.readers)
        allowed = std::min(allowed, reader->next[p] + flood.window);
      // Little batches keep every publisher's socket busy without letting one run far ahead.
      allowed = std::min(allowed, sent[p] + 64);
      if (sent[p] >= allowed || flood.publishers[p]->unsent_bytes() > 256 * 1024) continue;
      frames.clear();
      const bool with_headers = flood.headers && p % 2 == 1;
      for (; sent[p] < allowed; ++sent[p]) {
        const std::string body = sequenced_payload(p, sent[p], flood.payload_size);
        if (with_headers) {
          frames += "HPUB " + flood.subjects[p] + " " + std::to_string(header.size()) + " " +
                    std::to_string(header.size() + body.size()) + "\r\n" + header + body + "\r\n";
        } else {
          frames += "PUB " + flood.subjects[p] + " " + std::to_string(body.size()) + "\r\n" + body + "\r\n";
        }
      }
      flood.publishers[p]->send(frames);
    }
    loop.poll(Millis(1));
    if (on_poll) on_poll();
  }
  return true;
}

// ---- Connection -----------------------------------------------------------------------------------

Connection::Connection(Loop& loop, int fd, std::size_t index, bool raw_mode)
    : loop_(loop), fd_(fd), index_(index), raw_mode_(raw_mode) {}

void Connection::send(std::string_view bytes) {
  if (closed()) return;
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  }
  out_.append(bytes);
  flush();
}

void Connection::flush() {
  while (!closed() && out_pos_ < out_.size()) {
    const ssize_t n = ::send(fd_, out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL);
    if (n > 0) {
      out_pos_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    // The server has gone; reading will see the close.
    out_.clear();
    out_pos_ = 0;
    break;
  }
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  }
  const bool want_writable = out_pos_ < out_.size();
  if (want_writable != watching_writable_) {
    watching_writable_ = want_writable;
    update_interest();
  }
}

void Connection::pause_reading(bool paused) {
  if (paused == paused_) return;
  paused_ = paused;
  update_interest();
}

void Connection::update_interest() {
  if (closed()) return;
  epoll_event event{};
  event.events = (paused_ ? 0u : static_cast<std::uint32_t>(EPOLLIN)) |
                 (watching_writable_ ? static_cast<std::uint32_t>(EPOLLOUT) : 0u);
  event.data.ptr = this;
  ::epoll_ctl(loop_.epoll_fd_, EPOLL_CTL_MOD, fd_, &event);
}

void Connection::close(bool reset) {
  if (closed()) return;
  if (reset) {
    const linger abort_on_close{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  }
  ::epoll_ctl(loop_.epoll_fd_, EPOLL_CTL_DEL, fd_, nullptr);
  ::close(fd_);
  fd_ = -1;
}

void Connection::on_writable() {
  flush();
}

void Connection::on_readable(char* buffer, std::size_t size) {
  const ssize_t n = ::recv(fd_, buffer, size, 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) {
    closed_by_peer_ = true;
    close();
    return;
  }
  std::string_view bytes(buffer, static_cast<std::size_t>(n));
  if (raw_mode_) {
    if (!got_info_) {
      pending_info_line_.append(bytes);
      const auto end = pending_info_line_.find("\r\n");
      if (end == std::string::npos) return;
      got_info_ = true;
      raw_.append(pending_info_line_, end + 2);
      pending_info_line_.clear();
    } else {
      raw_.append(bytes);
    }
    return;
  }
  if (parse_failed_) return;
  parser_.feed(bytes);
  protocol::Op op;
  for (;;) {
    const auto status = parser_.next(op);
    if (status == protocol::ParseStatus::kNeedMore) return;
    if (status == protocol::ParseStatus::kError) {
      parse_failed_ = true;
      return;
    }
    switch (op.kind) {
      case protocol::OpKind::kInfo:
        got_info_ = true;
        break;
      case protocol::OpKind::kPing:
        send("PONG\r\n");
        break;
      case protocol::OpKind::kPong:
        ++pongs_;
        break;
      case protocol::OpKind::kErr:
        errors_.emplace_back(op.arg);
        break;
      default:
        if (on_op) on_op(*this, op);
        break;
    }
    if (closed()) return;
  }
}

// ---- Loop -----------------------------------------------------------------------------------------

Loop::Loop() : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)), buffer_(256 * 1024) {
  if (epoll_fd_ < 0) throw std::runtime_error("epoll_create1 failed");
}

Loop::~Loop() {
  for (auto& connection : connections_)
    connection->close();
  ::close(epoll_fd_);
}

Connection& Loop::add(int fd, bool raw_mode) {
  auto connection = std::unique_ptr<Connection>(new Connection(*this, fd, connections_.size(), raw_mode));
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = connection.get();
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    ::close(fd);
    throw std::runtime_error(std::string("epoll_ctl: ") + std::strerror(errno));
  }
  connections_.push_back(std::move(connection));
  return *connections_.back();
}

Connection& Loop::connect(int port, bool raw_mode) {
  const int fd = connect_loopback(port);
  if (fd < 0) throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
  return add(fd, raw_mode);
}

void Loop::poll(Millis timeout) {
  epoll_event events[256];
  const int n = ::epoll_wait(epoll_fd_, events, 256, static_cast<int>(timeout.count()));
  for (int i = 0; i < n; ++i) {
    auto* connection = static_cast<Connection*>(events[i].data.ptr);
    if (connection->closed()) continue;
    if ((events[i].events & EPOLLOUT) != 0) connection->on_writable();
    if (!connection->closed() && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0)
      connection->on_readable(buffer_.data(), buffer_.size());
  }
}

bool Loop::run_until(const std::function<bool()>& done, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    poll(Millis(5));
  }
  return true;
}

void Loop::run_for(Millis duration) {
  const auto deadline = Clock::now() + duration;
  while (Clock::now() < deadline)
    poll(Millis(5));
}

std::size_t Loop::open_count() const {
  std::size_t open = 0;
  for (const auto& connection : connections_)
    open += connection->closed() ? 0 : 1;
  return open;
}

}  // namespace tern::stress
