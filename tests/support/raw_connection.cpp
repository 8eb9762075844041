#include "tests/support/raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace tern::test {
namespace {

using Clock = std::chrono::steady_clock;

Millis remaining_until(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
  return left.count() > 0 ? left : Millis(0);
}

int connect_once(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd);
    errno = error;
    return -1;
  }
  // Scripts send protocol lines one at a time and wait for replies; Nagle would only add latency.
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// True when `candidate` could still be completed by more bytes, or is already complete.
bool may_become(std::string_view received, std::string_view candidate) {
  const auto common = std::min(received.size(), candidate.size());
  return received.substr(0, common) == candidate.substr(0, common);
}

}  // namespace

std::string ExpectResult::describe() const {
  std::string text = "received \"" + escape_bytes(received) + "\"";
  if (closed) text += " then the connection closed";
  if (timed_out) text += " then nothing more before the timeout";
  return text;
}

RawConnection::RawConnection(int port, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    fd_ = connect_once(port);
    if (fd_ >= 0) return;
    if (errno != ECONNREFUSED || Clock::now() >= deadline) {
      throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno));
    }
    std::this_thread::sleep_for(Millis(5));
  }
}

RawConnection::~RawConnection() {
  close();
}

RawConnection::RawConnection(RawConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      pending_(std::move(other.pending_)),
      peer_closed_(other.peer_closed_) {}

RawConnection& RawConnection::operator=(RawConnection&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    pending_ = std::move(other.pending_);
    peer_closed_ = other.peer_closed_;
  }
  return *this;
}

void RawConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawConnection::read_more(Millis timeout) {
  if (fd_ < 0 || peer_closed_) return false;
  pollfd waiter{fd_, POLLIN, 0};
  const int ready = ::poll(&waiter, 1, static_cast<int>(timeout.count()));
  if (ready <= 0) return false;
  char buffer[65536];
  const ssize_t count = ::recv(fd_, buffer, sizeof buffer, 0);
  if (count > 0) {
    pending_.append(buffer, static_cast<std::size_t>(count));
    return true;
  }
  // Zero is an orderly close; an error such as ECONNRESET means the server closed with unread input.
  // Both mean the server ended the connection.
  peer_closed_ = true;
  return false;
}

std::optional<std::string> RawConnection::read_line(Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const auto end = pending_.find("\r\n");
    if (end != std::string::npos) {
      std::string line = pending_.substr(0, end + 2);
      pending_.erase(0, end + 2);
      return line;
    }
    if (peer_closed_ || Clock::now() >= deadline) return std::nullopt;
    read_more(remaining_until(deadline));
  }
}

std::string RawConnection::read_info_line(Millis timeout) {
  auto line = read_line(timeout);
  if (!line || line->rfind("INFO ", 0) != 0) {
    throw std::runtime_error("expected an INFO line, got \"" + escape_bytes(line ? *line : pending_) + "\"");
  }
  return *line;
}

bool RawConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    if (fd_ < 0) return false;
    const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

ExpectResult RawConnection::expect(std::string_view expected, Millis timeout) {
  return expect_any({std::string(expected)}, timeout);
}

ExpectResult RawConnection::expect_any(const std::vector<std::string>& alternatives, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  ExpectResult result;
  while (true) {
    bool still_possible = false;
    for (std::size_t i = 0; i < alternatives.size(); ++i) {
      const auto& candidate = alternatives[i];
      if (pending_.size() >= candidate.size() && pending_.compare(0, candidate.size(), candidate) == 0) {
        result.matched = true;
        result.which = i;
        result.received = candidate;
        pending_.erase(0, candidate.size());
        return result;
      }
      still_possible = still_possible || may_become(pending_, candidate);
    }
    if (!still_possible) break;
    if (peer_closed_) {
      result.closed = true;
      break;
    }
    if (Clock::now() >= deadline) {
      result.timed_out = true;
      break;
    }
    read_more(remaining_until(deadline));
  }
  // A mismatch: show everything that is here, including what arrives right behind it, which usually
  // explains the failure (an -ERR, a close).
  if (!result.closed && !result.timed_out) {
    while (read_more(Millis(50))) {
    }
    result.closed = peer_closed_;
  }
  result.received = std::exchange(pending_, {});
  return result;
}

std::string RawConnection::read_for(Millis window) {
  const auto deadline = Clock::now() + window;
  while (!peer_closed_ && Clock::now() < deadline)
    read_more(remaining_until(deadline));
  return std::exchange(pending_, {});
}

ExpectResult RawConnection::expect_closed(Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!peer_closed_ && Clock::now() < deadline)
    read_more(remaining_until(deadline));
  ExpectResult result;
  result.closed = peer_closed_;
  result.timed_out = !peer_closed_;
  result.received = std::exchange(pending_, {});
  result.matched = peer_closed_ && result.received.empty();
  return result;
}

std::string escape_bytes(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '\r':
        text += "\\r";
        break;
      case '\n':
        text += "\\n";
        break;
      case '\t':
        text += "\\t";
        break;
      case '\\':
        text += "\\\\";
        break;
      case '"':
        text += "\\\"";
        break;
      default:
        if (byte >= 0x20 && byte < 0x7f) {
          text += c;
        } else {
          text += "\\x";
          text += kHex[byte >> 4];
          text += kHex[byte & 0xf];
        }
    }
  }
  return text;
}

}  // namespace tern::test
