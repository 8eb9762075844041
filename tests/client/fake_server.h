// A scripted stand-in for a NATS server, for the failure modes a real server will not produce on
// demand: it accepts one connection on 127.0.0.1, completes the handshake (INFO, then PONG for the
// client's PING) and then stops reading, so the client's writes back up. The test decides when the
// connection is dropped and when the listening socket goes away (to let a real server take the port).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace tern::client_test {

class StallingServer {
 public:
  // A small receive buffer makes the client's writes back up after a few kilobytes.
  explicit StallingServer(int receive_buffer = 4096, std::int64_t max_payload = 64 * 1024 * 1024)
      : max_payload_(max_payload) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listen_fd_, 4);
    socklen_t length = sizeof address;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }

  StallingServer(const StallingServer&) = delete;
  StallingServer& operator=(const StallingServer&) = delete;

  ~StallingServer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
    close_fd(connection_fd_);
    close_fd(listen_fd_);
  }

  int port() const { return port_; }

  // Closes the connection and the listening socket, so that another server may bind the port.
  void drop() {
    {
      std::lock_guard lock(mu_);
      drop_ = true;
    }
    changed_.notify_all();
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return dropped_; });
  }

  // Sends `bytes` to the client once the handshake is done.
  void send(const std::string& bytes) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return handshaken_; });
    (void)!::send(connection_fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }

  // Waits until `text` is among the bytes the client sent that sit unread in the socket (looked at
  // without reading them, so the client's writes stay stuck); true if it shows up in time.
  bool wait_for_unread(std::string_view text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int fd = -1;
    {
      std::unique_lock lock(mu_);
      if (!changed_.wait_until(lock, deadline, [&] { return handshaken_; })) return false;
      fd = connection_fd_;
    }
    std::string buffer(256 * 1024, '\0');
    while (std::chrono::steady_clock::now() < deadline) {
      const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_PEEK | MSG_DONTWAIT);
      if (n > 0 &&
          std::string_view(buffer.data(), static_cast<std::size_t>(n)).find(text) != std::string_view::npos)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }

  // Reads what the client sent until it closes the connection; true if that happens in time.
  bool wait_for_client_close(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int fd = -1;
    {
      std::unique_lock lock(mu_);
      if (!changed_.wait_until(lock, deadline, [&] { return handshaken_; })) return false;
      fd = connection_fd_;
    }
    char buffer[65536];
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) return true;
    }
    return false;
  }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  void serve() {
    int fd = -1;
    while (fd < 0) {
      {
        std::lock_guard lock(mu_);
        if (stop_) return;
      }
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) fd = ::accept(listen_fd_, nullptr, nullptr);
    }
    const std::string info =
        "INFO {\"server_id\":\"stalling\",\"version\":\"2.9.10\",\"proto\":1,\"headers\":true,"
        "\"max_payload\":" +
        std::to_string(max_payload_) + "} \r\n";
    // Sends never raise SIGPIPE: a client that gave up on the handshake must not kill the test.
    (void)!::send(fd, info.data(), info.size(), MSG_NOSIGNAL);
    std::string received;
    char buffer[4096];
    while (received.find("PING\r\n") == std::string::npos) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) break;
      received.append(buffer, static_cast<std::size_t>(n));
    }
    (void)!::send(fd, "PONG\r\n", 6, MSG_NOSIGNAL);
    std::unique_lock lock(mu_);
    connection_fd_ = fd;
    handshaken_ = true;
    changed_.notify_all();
    // From here on nothing is read: the client's writes stay in flight.
    changed_.wait(lock, [&] { return stop_ || drop_; });
    if (drop_ && !stop_) {
      close_fd(connection_fd_);
      close_fd(listen_fd_);
      dropped_ = true;
      changed_.notify_all();
    }
  }

  std::int64_t max_payload_;
  int listen_fd_ = -1;
  int connection_fd_ = -1;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable changed_;
  bool handshaken_ = false;
  bool stop_ = false;
  bool drop_ = false;
  bool dropped_ = false;
  std::thread thread_;
};

}  // namespace tern::client_test
