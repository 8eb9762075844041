#include "server/healthcheck.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "protocol/connect.h"

namespace tern::server {
namespace {

using Clock = std::chrono::steady_clock;

std::string_view strip_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

// A listener on every interface is probed through loopback, of the same family.
std::string local_host(std::string_view listen_host) {
  listen_host = strip_brackets(listen_host);
  if (listen_host.empty() || listen_host == "0.0.0.0" || listen_host == "localhost") return "127.0.0.1";
  if (listen_host == "::") return "::1";
  return std::string(listen_host);
}

bool is_ip_address(const std::string& host) {
  in6_addr ignored{};
  return inet_pton(AF_INET, host.c_str(), &ignored) == 1 || inet_pton(AF_INET6, host.c_str(), &ignored) == 1;
}

std::string errno_text(int error) {
  return std::strerror(error);
}

// A socket that closes itself.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Waits until `fd` is ready for `events`. Returns an error message, or nothing when ready.
std::optional<std::string> wait_ready(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd entry{fd, events, 0};
    const int rc = ::poll(&entry, 1, remaining_ms(deadline));
    if (rc > 0) return std::nullopt;
    if (rc == 0) return std::string("timed out");
    if (errno != EINTR) return "poll: " + errno_text(errno);
  }
}

// Connects without blocking past the deadline. Returns the socket, or an error message.
std::variant<int, std::string> connect_with_deadline(const HealthTarget& target, Clock::time_point deadline) {
  sockaddr_storage address{};
  socklen_t length = 0;
  if (auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
      inet_pton(AF_INET, target.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(target.port));
    length = sizeof(sockaddr_in);
  } else if (auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
             inet_pton(AF_INET6, target.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(target.port));
    length = sizeof(sockaddr_in6);
  } else {
    return "not an IP address: " + target.host;
  }
  const int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return "socket: " + errno_text(errno);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0 && errno != EINPROGRESS) {
    const int error = errno;
    ::close(fd);
    return errno_text(error);
  }
  if (auto error = wait_ready(fd, POLLOUT, deadline)) {
    ::close(fd);
    return "connect: " + *error;
  }
  int error = 0;
  socklen_t error_length = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_length) != 0) error = errno;
  if (error != 0) {
    ::close(fd);
    return errno_text(error);
  }
  return fd;
}

std::optional<std::string> send_all(int fd, std::string_view bytes, Clock::time_point deadline) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    } else if (sent < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (auto error = wait_ready(fd, POLLOUT, deadline)) return "send: " + *error;
    } else {
      return "send: " + errno_text(errno);
    }
  }
  return std::nullopt;
}

// Appends what arrives to `received` until `done(received)` holds, the peer closes or the deadline
// passes. Returns an error message only for a timeout or a socket error; a close is for `done` to judge.
template <typename Done>
std::optional<std::string> receive_until(int fd, std::string& received, Clock::time_point deadline,
                                         Done done) {
  char buffer[4096];
  while (!done(received)) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      received.append(buffer, static_cast<std::size_t>(n));
      // A health answer is small; a peer that streams more is not a ternd answering a probe.
      if (received.size() > 64 * 1024) return std::string("answer too long");
    } else if (n == 0) {
      return std::nullopt;
    } else if (errno == EAGAIN || errno == EINTR) {
      if (auto error = wait_ready(fd, POLLIN, deadline)) return "waiting for an answer: " + *error;
    } else {
      return "recv: " + errno_text(errno);
    }
  }
  return std::nullopt;
}

std::string first_line(std::string_view text) {
  return std::string(text.substr(0, text.find_first_of("\r\n")));
}

HealthReport probe_nats(const HealthTarget& target, int fd, Clock::time_point deadline) {
  protocol::ConnectOptions options;
  options.verbose = false;
  options.pedantic = false;
  options.protocol = 1;
  options.name = "ternd-healthcheck";
  options.lang = "C++";
  options.version = kTerndVersion;
  options.user = target.user;
  options.pass = target.password;
  options.auth_token = target.token;
  std::string connect;
  protocol::append_connect(connect, options);
  connect += "PING\r\n";
  if (auto error = send_all(fd, connect, deadline)) return {false, *error};

  // The server answers with INFO, then PONG, or -ERR; a server PING or +OK may come between.
  std::optional<HealthReport> verdict;
  std::string received;
  const auto judge = [&verdict](const std::string& text) {
    std::size_t start = 0;
    for (std::size_t end; (end = text.find("\r\n", start)) != std::string::npos; start = end + 2) {
      const std::string_view line = std::string_view(text).substr(start, end - start);
      if (line == "PONG") {
        verdict = HealthReport{true, "PONG"};
      } else if (line.starts_with("-ERR")) {
        verdict = HealthReport{false, "the server answered " + std::string(line)};
      }
      if (verdict) return true;
    }
    return false;
  };
  if (auto error = receive_until(fd, received, deadline, judge)) return {false, *error};
  if (verdict) return *verdict;
  return {false, received.empty() ? "closed without a word" : "closed after " + first_line(received)};
}

// True once `text` holds a whole HTTP response head and, when it says how long the body is, the body.
bool response_complete(const std::string& text) {
  const std::size_t head_end = text.find("\r\n\r\n");
  if (head_end == std::string::npos) return false;
  std::string head = text.substr(0, head_end);
  for (char& c : head)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::size_t field = head.find("\r\ncontent-length:");
  if (field == std::string::npos) return false;  // Read to the close (Connection: close was asked).
  std::size_t length = 0;
  const char* begin = head.data() + field + std::strlen("\r\ncontent-length:");
  while (*begin == ' ')
    ++begin;
  std::from_chars(begin, head.data() + head.size(), length);
  return text.size() - (head_end + 4) >= length;
}

HealthReport probe_http(const HealthTarget& target, int fd, Clock::time_point deadline) {
  const std::string host = target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host;
  const std::string request = "GET " + target.path + " HTTP/1.1\r\nHost: " + host + ":" +
                              std::to_string(target.port) +
                              "\r\nUser-Agent: ternd-healthcheck\r\nConnection: close\r\n\r\n";
  if (auto error = send_all(fd, request, deadline)) return {false, *error};
  std::string received;
  if (auto error = receive_until(fd, received, deadline, response_complete)) return {false, *error};
  // "HTTP/1.1 200 OK"
  const std::string status_line = first_line(received);
  int status = 0;
  if (status_line.starts_with("HTTP/1.") && status_line.size() >= 12) {
    std::from_chars(status_line.data() + 9, status_line.data() + 12, status);
  }
  if (status == 0) {
    return {false, received.empty() ? "closed without an answer" : "not an HTTP answer: " + status_line};
  }
  std::string body;
  if (const std::size_t head_end = received.find("\r\n\r\n"); head_end != std::string::npos)
    body = first_line(received.substr(head_end + 4));
  const std::string detail = "HTTP " + std::to_string(status) + (body.empty() ? "" : " " + body);
  return {status == 200, detail};
}

std::optional<int> parse_port(std::string_view text) {
  int port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535) return std::nullopt;
  return port;
}

}  // namespace

std::string HealthTarget::url() const {
  const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return (kind == Kind::kHttp ? "http://" : "nats://") + shown_host + ":" + std::to_string(port) +
         (kind == Kind::kHttp ? path : "");
}

std::variant<HealthTarget, std::string> health_target(const Options& options, std::string_view url) {
  HealthTarget target;
  if (url.empty()) {
    if (options.http_port > 0) {
      target.kind = HealthTarget::Kind::kHttp;
      target.host = local_host(options.http_host.empty() ? options.host : options.http_host);
      target.port = options.http_port;
      std::string base = options.http_base_path;
      while (!base.empty() && base.back() == '/')
        base.pop_back();
      if (!base.empty() && base.front() != '/') base.insert(0, "/");
      target.path = base + "/healthz";
      return target;
    }
    if (options.port <= 0)
      return std::string("the client port is chosen at random (-1): give the probe a URL");
    target.host = local_host(options.host);
    target.port = options.port;
    // Plain-text credentials can be presented; a bcrypt hash cannot, and the probe then meets an
    // authorization error, which it reports.
    const Authorization& auth = options.authorization;
    const auto usable = [](const std::string& secret) {
      return !(secret.starts_with("$2a$") || secret.starts_with("$2b$") || secret.starts_with("$2y$"));
    };
    if (!auth.token.empty() && usable(auth.token)) target.token = auth.token;
    if (!auth.user.empty() && usable(auth.password)) {
      target.user = auth.user;
      target.password = auth.password;
    }
    for (const User& user : auth.users) {
      if (target.user.empty() && usable(user.password)) {
        target.user = user.user;
        target.password = user.password;
      }
    }
    return target;
  }

  std::string_view rest = url;
  if (rest.starts_with("http://")) {
    target.kind = HealthTarget::Kind::kHttp;
    rest.remove_prefix(7);
  } else if (rest.starts_with("nats://") || rest.starts_with("tcp://")) {
    rest.remove_prefix(rest.find("://") + 3);
  } else if (rest.find("://") != std::string_view::npos) {
    return "unsupported URL \"" + std::string(url) + "\": use nats://host:port or http://host:port/path";
  }
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  target.path = slash == std::string_view::npos ? "/healthz" : std::string(rest.substr(slash));
  if (target.kind == HealthTarget::Kind::kNats && slash != std::string_view::npos &&
      rest.substr(slash) != "/") {
    return "a nats:// URL has no path: \"" + std::string(url) + "\"";
  }
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    if (const std::size_t colon = userinfo.find(':'); colon != std::string_view::npos) {
      target.user = userinfo.substr(0, colon);
      target.password = userinfo.substr(colon + 1);
    } else {
      target.token = userinfo;
    }
  }
  // host, host:port, [v6], [v6]:port
  std::string_view host = authority;
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return "bad address in \"" + std::string(url) + "\"";
    host = authority.substr(0, close + 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return "bad address in \"" + std::string(url) + "\"";
      port_text = authority.substr(close + 2);
    }
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
  }
  if (host.empty()) return "no host in \"" + std::string(url) + "\"";
  target.host = local_host(host);
  if (!is_ip_address(target.host)) {
    return "the host in \"" + std::string(url) +
           "\" must be an IP address or localhost (names are not resolved)";
  }
  if (port_text.empty()) {
    target.port = target.kind == HealthTarget::Kind::kHttp ? 8222 : 4222;
  } else if (const auto port = parse_port(port_text)) {
    target.port = *port;
  } else {
    return "bad port in \"" + std::string(url) + "\"";
  }
  return target;
}

HealthReport probe_health(const HealthTarget& target, std::chrono::milliseconds timeout) {
  try {
    const Clock::time_point deadline = Clock::now() + timeout;
    auto connected = connect_with_deadline(target, deadline);
    if (auto* error = std::get_if<std::string>(&connected)) return {false, *error};
    const Socket socket(std::get<int>(connected));
    return target.kind == HealthTarget::Kind::kHttp ? probe_http(target, socket.fd(), deadline)
                                                    : probe_nats(target, socket.fd(), deadline);
  } catch (const std::exception& e) {
    return {false, e.what()};
  }
}

}  // namespace tern::server
