// The monitoring port's HTTP server: the text functions on their own, then an HttpServer on a libuv
// loop in a background thread, spoken to over real sockets with exact bytes. Timeouts are short here so
// that closes can be waited for (with deadlines), never slept through.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <future>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>

#include "server/monitor/http_response.h"
#include "server/monitor/http_server.h"
#include "server/monitor/http_target.h"
#include "tests/support/raw_connection.h"

using tern::server::monitor::ConnectionHeader;
using tern::server::monitor::decode_target;
using tern::server::monitor::HttpHandler;
using tern::server::monitor::HttpLimits;
using tern::server::monitor::HttpRequest;
using tern::server::monitor::HttpResponse;
using tern::server::monitor::HttpServer;
using tern::server::monitor::parse_query;
using tern::server::monitor::percent_decode;
using tern::server::monitor::QueryParams;
using tern::server::monitor::ResponseFraming;
using tern::test::Millis;
using tern::test::RawConnection;
using Clock = std::chrono::steady_clock;

namespace {

constexpr Millis kWait{5000};
constexpr std::size_t kBigBody = 20 * 1024 * 1024;

HttpResponse text(int status, std::string body, std::string type = "text/plain; charset=utf-8") {
  HttpResponse response;
  response.status = status;
  response.content_type = std::move(type);
  response.body = std::move(body);
  return response;
}

// What the endpoints of these tests answer. /connections is added by ServerThread.
HttpResponse test_handler(const HttpRequest& request) {
  if (request.path == "/hello") return text(200, R"({"hello":"world"})", "application/json");
  if (request.path == "/echo") {
    std::string body = request.method + " " + request.path + " " + request.target + "\n";
    for (const auto& [key, value] : request.query)
      body += "[" + key + "]=[" + value + "]\n";
    return text(200, body);
  }
  if (request.path == "/big") return text(200, std::string(kBigBody, 'x'));
  if (request.path == "/throw") throw std::runtime_error("handler failed");
  HttpResponse missing = text(404, "404 page not found\n");
  missing.headers = {{"X-Content-Type-Options", "nosniff"}};
  return missing;
}

// An HttpServer on its own loop and thread, listening on 127.0.0.1 on a free port. stop() closes the
// server from the loop thread, runs the loop until every handle is closed and reports whether the loop
// then closed cleanly (nothing leaked).
class ServerThread {
 public:
  explicit ServerThread(HttpLimits limits, HttpHandler handler = test_handler) {
    std::promise<int> bound;
    auto port = bound.get_future();
    thread_ =
        std::thread([this, limits, handler = std::move(handler), &bound] { run(limits, handler, bound); });
    port_ = port.get();
    if (port_ <= 0) {
      thread_.join();
      throw std::runtime_error("the HTTP server did not start: " + std::to_string(port_));
    }
  }
  ~ServerThread() { stop(); }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  int port() const { return port_; }

  bool stop() {
    if (thread_.joinable()) {
      uv_async_send(&stop_);
      thread_.join();
    }
    return clean_;
  }

 private:
  void run(const HttpLimits& limits, const HttpHandler& handler, std::promise<int>& bound) {
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0) {
      bound.set_value(-1);
      return;
    }
    HttpServer* self = nullptr;
    bool closed = false;
    {
      HttpServer server(&loop, limits, [&](const HttpRequest& request) {
        if (request.path == "/connections") return text(200, std::to_string(self->connection_count()));
        return handler(request);
      });
      self = &server;
      stop_.data = &server;
      const int rc = server.listen("127.0.0.1", 0);
      if (rc != 0 || uv_async_init(&loop, &stop_, [](uv_async_t* async) {
                       static_cast<HttpServer*>(async->data)->close([] {});
                       uv_close(reinterpret_cast<uv_handle_t*>(async), nullptr);
                     }) != 0) {
        server.close([&] { closed = true; });
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
        bound.set_value(rc != 0 ? rc : -1);
        return;
      }
      bound.set_value(server.bound_port());
      uv_run(&loop, UV_RUN_DEFAULT);
      closed = server.connection_count() == 0;
    }
    clean_ = closed && uv_loop_close(&loop) == 0;
  }

  std::thread thread_;
  uv_async_t stop_{};
  int port_ = 0;
  bool clean_ = false;
};

std::string get(std::string_view target, std::string_view extra = {}) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + std::string(extra) + "\r\n";
}

// One response head, with the Date header's value checked (IMF-fixdate) and replaced by "<date>".
std::string read_head(RawConnection& conn) {
  static const std::regex kDate(
      R"(Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT\r\n)");
  std::string head;
  while (true) {
    auto line = conn.read_line(kWait);
    if (!line) return head + "<no more lines>";
    if (line->rfind("Date: ", 0) == 0) {
      if (!std::regex_match(*line, kDate)) return head + "<bad date: " + *line + ">";
      line = "Date: <date>\r\n";
    }
    head += *line;
    if (*line == "\r\n") return head;
  }
}

void expect_response(RawConnection& conn, const std::string& head, const std::string& body) {
  CHECK(read_head(conn) == head);
  if (body.empty()) return;
  const auto got = conn.expect(body, kWait);
  INFO(got.describe());
  CHECK(got.matched);
}

std::string ok_head(std::size_t length, std::string_view type = "application/json",
                    std::string_view version = "1.1", std::string_view connection = {}) {
  std::string head = "HTTP/" + std::string(version) + " 200 OK\r\nContent-Type: " + std::string(type) +
                     "\r\nDate: <date>\r\nContent-Length: " + std::to_string(length) + "\r\n";
  if (!connection.empty()) head += "Connection: " + std::string(connection) + "\r\n";
  return head + "\r\n";
}

const std::string kHello = R"({"hello":"world"})";

void expect_hello(RawConnection& conn) {
  expect_response(conn, ok_head(kHello.size()), kHello);
}

// Go's own answer to a request it cannot serve, then the close.
void expect_refusal(RawConnection& conn, const std::string& status) {
  const auto got =
      conn.expect("HTTP/1.1 " + status +
                      "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n" + status,
                  kWait);
  INFO(got.describe());
  CHECK(got.matched);
  const auto closed = conn.expect_closed(kWait);
  INFO(closed.describe());
  CHECK(closed.matched);
}

// The server's open connections, as its /connections endpoint counts them (the asking one included).
int connection_count(RawConnection& conn) {
  conn.send(get("/connections"));
  const std::string head = read_head(conn);
  if (head.rfind("HTTP/1.1 200 OK\r\n", 0) != 0) return -1;
  const auto got = conn.expect_any({"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, kWait);
  return got.matched ? static_cast<int>(got.which) : -1;
}

// Asks until the count is `expected` or the deadline passes; the count changes when the server's close
// callbacks run, which no client can observe directly.
bool wait_for_connection_count(RawConnection& conn, int expected, Millis timeout = kWait) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (connection_count(conn) == expected) return true;
    std::this_thread::sleep_for(Millis(5));
  }
  return false;
}

Millis since(Clock::time_point start) {
  return std::chrono::duration_cast<Millis>(Clock::now() - start);
}

}  // namespace

// ---- Text -----------------------------------------------------------------------------------------

TEST_CASE("queries decode as Go's url.ParseQuery decodes them", "[monitor][http]") {
  CHECK(parse_query("a=1&b=x%20y&c") == QueryParams{{"a", "1"}, {"b", "x y"}, {"c", ""}});
  CHECK(parse_query("a=1&a=2&b=&=v") == QueryParams{{"a", "1"}, {"a", "2"}, {"b", ""}, {"", "v"}});
  CHECK(parse_query("q=a+b%2Bc&&x=%e2%82%ac") == QueryParams{{"q", "a b+c"}, {"x", "\xe2\x82\xac"}});
  // Go leaves out a pair that does not decode, and any pair holding a semicolon.
  CHECK(parse_query("a=%zz&b=%2&c=1;d=2&e=ok") == QueryParams{{"e", "ok"}});
  CHECK(parse_query("") == QueryParams{});
  CHECK(percent_decode("a+b%41", false) == "a+bA");
  CHECK(percent_decode("a+b%41", true) == "a bA");
  CHECK_FALSE(percent_decode("%4", true).has_value());
}

TEST_CASE("a target splits into a decoded path and its query", "[monitor][http]") {
  auto origin = decode_target("/con%6Ez?sort=cid&x");
  REQUIRE(origin.has_value());
  CHECK(origin->path == "/connz");
  CHECK(origin->query == QueryParams{{"sort", "cid"}, {"x", ""}});
  auto absolute = decode_target("http://example:8222/varz?a=1");
  REQUIRE(absolute.has_value());
  CHECK(absolute->path == "/varz");
  CHECK(absolute->query == QueryParams{{"a", "1"}});
  CHECK(decode_target("/a+b")->path == "/a+b");
  CHECK_FALSE(decode_target("*").has_value());
  CHECK_FALSE(decode_target("varz").has_value());
  CHECK_FALSE(decode_target("/%zz").has_value());
}

TEST_CASE("responses are laid out as nats-server's", "[monitor][http]") {
  CHECK(tern::server::monitor::http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(tern::server::monitor::http_date(1796473871) == "Sat, 05 Dec 2026 12:31:11 GMT");

  HttpResponse response = text(404, "404 page not found\n");
  response.headers = {{"X-Content-Type-Options", "nosniff"}, {"X-Bad", "a\r\nb"}};
  ResponseFraming framing;
  framing.date = 1796473871;
  CHECK(serialize_response(response, framing) ==
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: "
        "nosniff\r\nX-Bad: a  b\r\nDate: Sat, 05 Dec 2026 12:31:11 GMT\r\nContent-Length: 19\r\n\r\n404 page "
        "not found\n");
  framing.http_minor = 0;
  framing.head = true;
  framing.connection = ConnectionHeader::kKeepAlive;
  CHECK(serialize_response(text(200, "{}", "application/json"), framing) ==
        "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nDate: Sat, 05 Dec 2026 12:31:11 "
        "GMT\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n");
  // Recorded from nats-server 2.9.10.
  CHECK(tern::server::monitor::protocol_error_response(431) ==
        "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; "
        "charset=utf-8\r\nConnection: "
        "close\r\n\r\n431 Request Header Fields Too Large");
  CHECK(tern::server::monitor::protocol_error_response(400, "missing required Host header") ==
        "HTTP/1.1 400 Bad Request: missing required Host header\r\nContent-Type: text/plain; "
        "charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request: missing required Host header");
  CHECK(tern::server::monitor::status_text(299) == "status code 299");
}

// ---- Over sockets -----------------------------------------------------------------------------------

TEST_CASE("keep-alive: two GETs on one connection", "[monitor][http]") {
  ServerThread server(HttpLimits{});
  RawConnection conn(server.port());
  conn.send(get("/hello"));
  expect_hello(conn);
  conn.send(get("/hello"));
  expect_hello(conn);
  conn.close();
  CHECK(server.stop());
}

TEST_CASE("the handler sees the decoded path, the ordered query and the raw target", "[monitor][http]") {
  ServerThread server(HttpLimits{});
  RawConnection conn(server.port());
  conn.send(get("/ec%68o?a=1&b=x%20y&c&a=2"));
  const std::string body = "GET /echo /ec%68o?a=1&b=x%20y&c&a=2\n[a]=[1]\n[b]=[x y]\n[c]=[]\n[a]=[2]\n";
  expect_response(conn, ok_head(body.size(), "text/plain; charset=utf-8"), body);
  CHECK(server.stop());
}

TEST_CASE("the handler's 404, and 405 for other methods, keep the connection", "[monitor][http]") {
  ServerThread server(HttpLimits{});
  RawConnection conn(server.port());
  conn.send(get("/varzz"));
  expect_response(
      conn,
      "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: "
      "nosniff\r\nDate: <date>\r\nContent-Length: 19\r\n\r\n",
      "404 page not found\n");
  conn.send("POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  expect_response(conn,
                  "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\nAllow: GET, "
                  "HEAD\r\nX-Content-Type-Options: nosniff\r\nDate: <date>\r\nContent-Length: 23\r\n\r\n",
                  "405 method not allowed\n");
  conn.send(get("/hello"));
  expect_hello(conn);
  CHECK(server.stop());
}

TEST_CASE("HEAD gets GET's headers and no body", "[monitor][http]") {
  ServerThread server(HttpLimits{});
  RawConnection conn(server.port());
  conn.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(read_head(conn) == ok_head(kHello.size()));
  // Were a body sent, it would stand where the next response's status line is expected.
  conn.send(get("/hello"));
  expect_hello(conn);
  CHECK(server.stop());
}

TEST_CASE("pipelined requests are answered in order", "[monitor][http]") {
  ServerThread server(HttpLimits{});
  RawConnection conn(server.port());
  conn.send(get("/echo?n=1") + get("/varzz") + "HEAD /echo?n=3 HTTP/1.1\r\nHost: x\r\n\r\n" +
            get("/echo?n=4"));
  const std::string first = "GET /echo /echo?n=1\n[n]=[1]\n";
  expect_response(conn, ok_head(first.size(), "text/plain; charset=utf-8"), first);
  CHECK(read_head(conn).rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
  CHECK(conn.expect("404 page not found\n", kWait).matched);
  CHECK(read_head(conn) ==
        ok_head(std::string("HEAD /echo /echo?n=3\n[n]=[3]\n").size(), "text/plain; charset=utf-8"));
  const std::string fourth = "GET /echo /echo?n=4\n[n]=[4]\n";
  expect_response(conn, ok_head(fourth.size(), "text/plain; charset=utf-8"), fourth);
  CHECK(server.stop());
}

TEST_CASE("a request sent while a large response is being written is answered after it", "[monitor][http]") {
  ServerThread server(HttpLimits{});
  RawConnection conn(server.port());
  conn.send(get("/big"));
  CHECK(read_head(conn) == ok_head(kBigBody, "text/plain; charset=utf-8"));
  // Sent while most of the 20 MB still waits for this client to read it: the server is not reading.
  conn.send(get("/hello"));
  const auto body = conn.expect(std::string(kBigBody, 'x'), kWait);
  CHECK(body.matched);
  expect_hello(conn);
  CHECK(server.stop());
}

TEST_CASE("HTTP/1.0 and Connection: close end the connection after the response", "[monitor][http]") {
  ServerThread server(HttpLimits{});
  {
    RawConnection conn(server.port());
    conn.send("GET /hello HTTP/1.0\r\n\r\n");
    expect_response(conn, ok_head(kHello.size(), "application/json", "1.0"), kHello);
    CHECK(conn.expect_closed(kWait).matched);
  }
  {
    RawConnection conn(server.port());
    conn.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    expect_response(conn, ok_head(kHello.size(), "application/json", "1.0", "keep-alive"), kHello);
    conn.send(get("/hello"));
    expect_hello(conn);
  }
  {
    RawConnection conn(server.port());
    conn.send(get("/hello", "Connection: close\r\n"));
    expect_response(conn, ok_head(kHello.size(), "application/json", "1.1", "close"), kHello);
    CHECK(conn.expect_closed(kWait).matched);
  }
  CHECK(server.stop());
}

TEST_CASE("a too long target gets 414, a too large head 431, then the close", "[monitor][http]") {
  HttpLimits limits;
  limits.max_target = 1000;
  limits.max_head = 4000;
  ServerThread server(limits);
  {
    RawConnection conn(server.port());
    conn.send(get("/" + std::string(1000, 'a')));
    expect_refusal(conn, "414 Request URI Too Long");
  }
  {
    // Exactly at the limit is served.
    RawConnection conn(server.port());
    conn.send(get("/hello?" + std::string(1000 - 7, 'a')));
    expect_hello(conn);
  }
  {
    RawConnection conn(server.port());
    conn.send(get("/hello", "X-Big: " + std::string(4000, 'b') + "\r\n"));
    expect_refusal(conn, "431 Request Header Fields Too Large");
  }
  {
    // A head of exactly the limit is served; one byte more is not.
    const std::string base = get("/hello", "X-Big: \r\n");
    RawConnection fits(server.port());
    fits.send(get("/hello", "X-Big: " + std::string(4000 - base.size(), 'b') + "\r\n"));
    expect_hello(fits);
    RawConnection over(server.port());
    over.send(get("/hello", "X-Big: " + std::string(4000 - base.size() + 1, 'b') + "\r\n"));
    expect_refusal(over, "431 Request Header Fields Too Large");
  }
  {
    // The client is still sending when the answer comes: it must still be able to read it.
    RawConnection conn(server.port());
    conn.send(get("/hello", "X-Big: " + std::string(200'000, 'b') + "\r\n"));
    expect_refusal(conn, "431 Request Header Fields Too Large");
  }
  CHECK(server.stop());
}

TEST_CASE("requests nats-server refuses are refused the same way", "[monitor][http]") {
  ServerThread server(HttpLimits{});
  const auto refused = [&](const std::string& request, const std::string& status) {
    RawConnection conn(server.port());
    conn.send(request);
    expect_refusal(conn, status);
  };
  refused("GET /hello HTTP/1.1\r\n\r\n", "400 Bad Request: missing required Host header");
  refused("GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400 Bad Request");
  refused("GET /hello HTTP/2.0\r\nHost: a\r\n\r\n",
          "505 HTTP Version Not Supported: unsupported protocol version");
  refused("garbage\r\n\r\n", "400 Bad Request");
  refused(get("/%zz"), "400 Bad Request");
  refused(get("*"), "400 Bad Request");
  refused(get("/hello", "Content-Length: 4097\r\n"), "413 Request Entity Too Large");
  refused(
      get("/hello", "Transfer-Encoding: chunked\r\n") + "1001\r\n" + std::string(4097, 'z') + "\r\n0\r\n\r\n",
      "413 Request Entity Too Large");
  CHECK(server.stop());
}

TEST_CASE("a handler that throws gets 500 and the connection closes", "[monitor][http]") {
  ServerThread server(HttpLimits{});
  RawConnection conn(server.port());
  conn.send(get("/throw"));
  expect_response(
      conn,
      "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "X-Content-Type-Options: nosniff\r\nDate: <date>\r\nContent-Length: 26\r\nConnection: close\r\n\r\n",
      "500 internal server error\n");
  CHECK(conn.expect_closed(kWait).matched);
  CHECK(server.stop());
}

TEST_CASE("a small body is read and ignored", "[monitor][http]") {
  ServerThread server(HttpLimits{});
  RawConnection conn(server.port());
  conn.send(get("/hello", "Content-Length: 5\r\n") + "hello" + get("/hello"));
  expect_hello(conn);
  expect_hello(conn);
  CHECK(server.stop());
}

TEST_CASE("connections beyond the limit are closed at accept", "[monitor][http]") {
  HttpLimits limits;
  limits.max_connections = 2;
  ServerThread server(limits);
  RawConnection first(server.port());
  RawConnection second(server.port());
  first.send(get("/hello"));
  expect_hello(first);
  second.send(get("/hello"));
  expect_hello(second);

  RawConnection third(server.port());
  const auto refused = third.expect_closed(kWait);
  INFO(refused.describe());
  CHECK(refused.matched);

  first.close();
  CHECK(wait_for_connection_count(second, 1));
  RawConnection fourth(server.port());
  fourth.send(get("/hello"));
  expect_hello(fourth);
  CHECK(server.stop());
}

TEST_CASE("an idle keep-alive connection is closed after the idle timeout", "[monitor][http]") {
  HttpLimits limits;
  limits.idle_timeout = Millis(300);
  ServerThread server(limits);
  RawConnection conn(server.port());
  conn.send(get("/hello"));
  expect_hello(conn);
  const auto start = Clock::now();
  const auto closed = conn.expect_closed(kWait);
  INFO(closed.describe());
  CHECK(closed.matched);
  CHECK(since(start) >= Millis(200));
  CHECK(server.stop());
}

TEST_CASE("half a request is closed after the header timeout, however it trickles", "[monitor][http]") {
  HttpLimits limits;
  limits.header_timeout = Millis(300);
  limits.idle_timeout = Millis(60'000);
  ServerThread server(limits);
  {
    RawConnection conn(server.port());
    const auto start = Clock::now();
    conn.send("GET /hello HTTP/1.1\r\nHost: x\r\n");
    const auto closed = conn.expect_closed(kWait);
    INFO(closed.describe());
    CHECK(closed.matched);
    CHECK(since(start) >= Millis(250));
  }
  {
    // A byte every 50 ms never completes the request; the timeout counts from its first byte.
    RawConnection conn(server.port());
    const std::string request = get("/hello", "X-Padding: " + std::string(200, 'p') + "\r\n");
    const auto start = Clock::now();
    std::size_t sent = 0;
    while (sent < request.size() && !conn.peer_closed() && since(start) < kWait) {
      if (!conn.send(request.substr(sent++, 1))) break;
      CHECK(conn.read_for(Millis(50)).empty());
    }
    CHECK(conn.expect_closed(kWait).matched);
    CHECK(sent < request.size());
    CHECK(since(start) >= Millis(250));
  }
  CHECK(server.stop());
}

namespace {

// A client that asks for a large response and does not read it: a small receive buffer, so that the
// server's writes soon stop going through.
class StuckReader {
 public:
  explicit StuckReader(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    const int small = 4096;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  }
  ~StuckReader() { ::close(fd_); }
  StuckReader(const StuckReader&) = delete;
  StuckReader& operator=(const StuckReader&) = delete;

  void send(const std::string& bytes) {
    REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
  }

  // Reads exactly `count` bytes, or fewer on close or timeout.
  std::string read(std::size_t count, Millis timeout) {
    std::string got;
    const auto deadline = Clock::now() + timeout;
    char buffer[65536];
    while (got.size() < count && Clock::now() < deadline) {
      pollfd waiter{fd_, POLLIN, 0};
      const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
      if (::poll(&waiter, 1, static_cast<int>(std::max<long>(left, 0))) <= 0) break;
      const ssize_t n = ::recv(fd_, buffer, std::min(sizeof buffer, count - got.size()), 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      got.append(buffer, static_cast<std::size_t>(n));
    }
    return got;
  }
  bool closed() const { return closed_; }

 private:
  int fd_ = -1;
  bool closed_ = false;
};

}  // namespace

TEST_CASE("a client that does not read its response stalls nothing and is cut at the write timeout",
          "[monitor][http]") {
  HttpLimits limits;
  limits.write_timeout = Millis(2000);
  ServerThread server(limits);
  StuckReader stuck(server.port());
  stuck.send(get("/big"));
  // The response has started: the server is writing it.
  const std::string status = "HTTP/1.1 200 OK\r\n";
  CHECK(stuck.read(status.size(), kWait) == status);

  const auto start = Clock::now();
  RawConnection other(server.port());
  other.send(get("/hello"));
  expect_hello(other);
  // Served while the stuck response is still in flight.
  CHECK(connection_count(other) == 2);
  CHECK(since(start) < Millis(1500));

  CHECK(wait_for_connection_count(other, 1));
  // What the kernel had already taken still arrives, then the end; never the whole response.
  const std::string rest = stuck.read(kBigBody + 1000, kWait);
  CHECK(stuck.closed());
  CHECK(rest.size() < kBigBody);
  CHECK(server.stop());
}

TEST_CASE("close() ends every connection, a response in flight included", "[monitor][http]") {
  HttpLimits limits;
  limits.write_timeout = Millis(60'000);
  ServerThread server(limits);
  StuckReader stuck(server.port());
  stuck.send(get("/big"));
  CHECK(stuck.read(4, kWait) == "HTTP");
  RawConnection idle(server.port());
  idle.send(get("/hello"));
  expect_hello(idle);
  CHECK(server.stop());
  CHECK(idle.expect_closed(kWait).matched);
  stuck.read(kBigBody + 1000, kWait);
  CHECK(stuck.closed());
}
