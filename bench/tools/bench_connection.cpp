#include "bench/tools/bench_connection.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "protocol/connect.h"

namespace tern::bench {

namespace {

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

int connect_socket(const ServerAddress& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address.port);
  if (const int rc = getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    throw std::runtime_error("cannot resolve " + address.host + ": " + gai_strerror(rc));
  }
  int fd = -1;
  std::string failure;
  for (addrinfo* candidate = found; candidate != nullptr && fd < 0; candidate = candidate->ai_next) {
    fd = socket(candidate->ai_family, candidate->ai_socktype | SOCK_CLOEXEC, candidate->ai_protocol);
    if (fd < 0) {
      failure = errno_text("socket");
      continue;
    }
    if (connect(fd, candidate->ai_addr, candidate->ai_addrlen) != 0) {
      failure = errno_text("connect");
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) throw std::runtime_error("cannot connect to " + address.host + ":" + port + ": " + failure);
  // Latency runs write one small frame at a time; Nagle would hold it back waiting for an ACK.
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

std::string connect_frame() {
  protocol::ConnectOptions options;
  options.verbose = false;
  options.pedantic = false;
  options.headers = true;
  options.no_responders = true;
  options.protocol = 1;
  options.lang = "cpp";
  options.name = "tern-bench";
  std::string frame;
  protocol::append_connect(frame, options);
  return frame;
}

}  // namespace

BenchConnection::BenchConnection(const ServerAddress& address, std::size_t read_buffer_size)
    : parser_(protocol::Direction::kFromServer,
              protocol::ParserLimits{.max_control_line = 64 * 1024, .max_payload = 0}),
      read_buffer_size_(read_buffer_size),
      read_buffer_(new char[read_buffer_size]) {
  fd_ = connect_socket(address);
  try {
    set_read_timeout(kDefaultReadTimeout);
    // The server speaks first; waiting for INFO shows it is a NATS server before we send anything.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    bool got_info = false;
    while (!got_info) {
      const ReadOutcome outcome = read_ops([&](const protocol::Op& op) {
        if (op.kind == protocol::OpKind::kInfo) got_info = true;
      });
      if (outcome == ReadOutcome::kClosed)
        throw std::runtime_error(last_error_.empty() ? "closed before INFO" : last_error_);
      if (std::chrono::steady_clock::now() > give_up) throw std::runtime_error("no INFO within 10 s");
    }
    write_all(connect_frame());
    round_trip();
  } catch (...) {
    close(fd_);
    throw;
  }
}

BenchConnection::~BenchConnection() {
  if (fd_ >= 0) close(fd_);
}

void BenchConnection::write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(errno_text("write to server"));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void BenchConnection::set_read_timeout(std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

void BenchConnection::shutdown() noexcept {
  ::shutdown(fd_, SHUT_RDWR);
}

long BenchConnection::read_chunk() {
  for (;;) {
    const ssize_t n = recv(fd_, read_buffer_.get(), read_buffer_size_, 0);
    if (n > 0) return static_cast<long>(n);
    if (n == 0) {
      last_error_ = "the server closed the connection";
      return -1;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    last_error_ = errno_text("read from server");
    return -1;
  }
}

void BenchConnection::answer_ping() {
  write_all("PONG\r\n");
}

}  // namespace tern::bench
