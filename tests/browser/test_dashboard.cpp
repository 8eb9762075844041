// The monitoring dashboard (server/monitor/dashboard.html) in headless Chromium, against a live server
// with monitoring and traffic: the charts and tables fill, an outage shows as "disconnected" and polling
// picks up again after a restart, and the page never logs an error or throws.
//
// Parameters, from the environment (ctest sets them per registration, see tests/CMakeLists.txt):
//   TERN_DASHBOARD_SERVER          the server executable (default: nats-server). It takes nats-server's
//                                  flags; the monitoring port is given with -m.
//   TERN_DASHBOARD_REQUIRE_SERVED  "1": the server must serve the page at /dashboard, byte for byte the
//                                  source file. Otherwise a server that answers 404 there (nats-server)
//                                  gets the page from a file:// URL with ?base= pointing at it, and
//                                  Chromium runs without web security because nats-server sends no CORS
//                                  headers.
//   TERN_DASHBOARD_SCREENSHOT      a PNG path: keeps the traffic going for about a minute of charts and
//                                  saves a 1280x900 screenshot there (docs/dashboard.png).
//   TERN_CHROMIUM                  the browser (default: the chromium found at configure time).
// Against nats-server the hub also runs JetStream with one stream and has one leaf node connected, so
// that the page's stream and leaf sections are exercised too.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "protocol/base64.h"
#include "tests/browser/devtools_pipe.h"
#include "tests/support/raw_connection.h"
#include "tests/support/server_process.h"
#include "tests/support/skip.h"

namespace tern::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A port that was free a moment ago: the monitoring port must be known before the server starts, and
// must stay the same across the restart, so it cannot be the server's own pick.
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

struct HttpReply {
  int status = 0;
  std::string body;
};

// One GET with "Connection: close"; the reply is complete when the server closes. Status 0 when the
// server cannot be reached.
HttpReply http_get(int port, const std::string& target) {
  HttpReply reply;
  try {
    RawConnection connection(port, 2000ms);
    connection.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    const std::string raw = connection.read_for(5000ms);
    const auto space = raw.find(' ');
    const auto head_end = raw.find("\r\n\r\n");
    if (space == std::string::npos || head_end == std::string::npos) return reply;
    reply.status = std::atoi(raw.c_str() + space + 1);
    reply.body = raw.substr(head_end + 4);
  } catch (const std::exception&) {
    reply.status = 0;
  }
  return reply;
}

// Asks `target` until `accept(body)` holds or the deadline passes. The server offers no event for
// "a leaf node has connected" or "the stream exists", so this polls, 20 ms apart.
bool wait_for_http(int port, const std::string& target, const std::function<bool(const std::string&)>& accept,
                   std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    const HttpReply reply = http_get(port, target);
    if (reply.status == 200 && accept(reply.body)) return true;
    poll(nullptr, 0, 20);
  }
  return false;
}

// Reads a field into `out` when it is there with that type; leaves `out` alone otherwise.
template <typename T>
void read_field(simdjson::simdjson_result<simdjson::dom::element> field, T& out) {
  if (field.get(out) != simdjson::SUCCESS) return;
}

std::int64_t json_int(const std::string& body, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::int64_t value = -1;
  if (parser.parse(body).get(doc) == simdjson::SUCCESS) read_field(doc[key], value);
  return value;
}

// A client connection that has sent CONNECT with a name, so that the page's tables show the name.
RawConnection connect_client(int port, const std::string& name) {
  RawConnection connection(port);
  connection.read_info_line();
  connection.send("CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"" + name +
                  "\",\"lang\":\"c++\",\"version\":\"test\"}\r\n");
  return connection;
}

// Sends PING and waits for the PONG, which the server sends once it has processed everything before it.
// The server's own PINGs (nats-server measures the RTT of a new client) are answered on the way.
void round_trip(RawConnection& connection) {
  connection.send("PING\r\n");
  const auto deadline = Clock::now() + 10000ms;
  while (Clock::now() < deadline) {
    const auto line = connection.read_line(std::chrono::duration_cast<Millis>(deadline - Clock::now()));
    if (!line) break;
    if (*line == "PONG\r\n") return;
    if (*line == "PING\r\n") connection.send("PONG\r\n");
  }
  throw std::runtime_error("no PONG from the server");
}

// Publishers and subscribers of several kinds, so that every chart and table has something to show:
// a reader that keeps up, a subscriber that never reads (it has pending bytes), and workers that come
// and go (connections and subscriptions change).
class Traffic {
 public:
  explicit Traffic(int port) : port_(port) {
    auto reader = std::make_unique<RawConnection>(connect_client(port, "orders-reader"));
    reader->send("SUB orders.> 1\r\nSUB audit.* 2\r\n");
    reader_ = std::thread([this, connection = std::move(reader)] {
      // Drains what arrives, so that this subscriber never has anything pending.
      while (!stop_.load() && !connection->peer_closed())
        connection->read_for(100ms);
    });
    archiver_.emplace(connect_client(port, "audit-archiver"));
    archiver_->send("SUB audit.> 1\r\n");
    orders_.emplace(connect_client(port, "order-service"));
    audit_.emplace(connect_client(port, "audit-log"));
    // A round trip, so that the subscriptions are in place before the first message.
    for (auto* connection : {&*archiver_, &*orders_, &*audit_}) {
      round_trip(*connection);
    }
  }
  ~Traffic() { stop(); }

  // Publishes what belongs to the page's `sample`th poll: the amount swings over time, so that the
  // charts show a shape rather than a flat line. Returns once the server has processed it.
  void publish_for_sample(long sample) {
    const double phase = static_cast<double>(sample) / 6.0;
    const int orders = static_cast<int>(1200 + 900 * std::sin(phase));
    const int audits = static_cast<int>(300 + 250 * std::cos(phase * 0.7));
    send_batch(*orders_, "orders.created", 256, orders);
    send_batch(*audit_, "audit.login", 64, audits);
    adjust_workers(static_cast<std::size_t>((sample / 5) % 6));
    for (auto* connection : {&*orders_, &*audit_}) {
      round_trip(*connection);
    }
  }

  void stop() {
    stop_.store(true);
    if (reader_.joinable()) reader_.join();
    workers_.clear();
    archiver_.reset();
    orders_.reset();
    audit_.reset();
  }

 private:
  static void send_batch(RawConnection& connection, const std::string& subject, std::size_t size, int count) {
    const std::string one =
        "PUB " + subject + " " + std::to_string(size) + "\r\n" + std::string(size, 'x') + "\r\n";
    std::string batch;
    for (int i = 0; i < count; ++i)
      batch += one;
    if (!connection.send(batch)) throw std::runtime_error("server closed a publisher");
  }

  void adjust_workers(std::size_t wanted) {
    while (workers_.size() > wanted)
      workers_.pop_back();
    while (workers_.size() < wanted) {
      const std::string name = "worker-" + std::to_string(workers_.size() + 1);
      workers_.push_back(connect_client(port_, name));
      workers_.back().send("SUB work." + std::to_string(workers_.size()) +
                           " 1\r\nSUB orders.created 2 q\r\n");
    }
  }

  int port_;
  std::atomic<bool> stop_{false};
  std::thread reader_;
  std::optional<RawConnection> archiver_;
  std::optional<RawConnection> orders_;
  std::optional<RawConnection> audit_;
  std::vector<RawConnection> workers_;
};

// What the page shows, read through window.ternDashboardState and the DOM.
struct PageState {
  bool valid = false;
  bool connected = false;
  long polls = 0, samples = 0, failures = 0, script_errors = 0;
  long pending_rows = 0, rate_rows = 0, streams = 0, leafs = 0;
  double max_msgs_in = 0, max_msgs_out = 0, max_bytes_in = 0, max_bytes_out = 0;
  long min_chart_points = 0;
  bool jetstream_shown = false, leafs_shown = false;
  std::string status, raw;
};

// Waits for the page's next poll round (the page fires "terndashboardpoll" after each), at most 3 s,
// then reads the state.
constexpr const char* kReadStateExpression = R"js(
new Promise((resolve) => {
  const timer = setTimeout(resolve, 3000);
  window.addEventListener("terndashboardpoll", () => { clearTimeout(timer); resolve(); }, { once: true });
}).then(() => {
  const s = window.ternDashboardState;
  if (!s) return "null";
  const max = (a) => a.reduce((m, v) => (v !== null && v > m ? v : m), 0);
  const points = Array.from(document.querySelectorAll("canvas"))
                      .map((c) => Number(c.getAttribute("data-points") || 0));
  return JSON.stringify({
    connected: s.connected, polls: s.polls, samples: s.samples, failures: s.failures,
    scriptErrors: s.scriptErrors, pendingRows: s.pendingRows, rateRows: s.rateRows, streams: s.streams,
    leafs: s.leafs, maxMsgsIn: max(s.series.msgsIn), maxMsgsOut: max(s.series.msgsOut),
    maxBytesIn: max(s.series.bytesIn), maxBytesOut: max(s.series.bytesOut),
    minChartPoints: Math.min(...points), status: document.getElementById("status").textContent,
    jetstreamShown: !document.getElementById("section-jetstream").hidden,
    leafsShown: !document.getElementById("section-leafs").hidden, lastError: s.lastError });
})
)js";

std::string json_quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

PageState read_state(Chromium& browser, const std::string& session) {
  PageState state;
  const std::string result = browser.call("Runtime.evaluate",
                                          "{\"expression\":" + json_quote(kReadStateExpression) +
                                              ",\"awaitPromise\":true,\"returnByValue\":true}",
                                          session);
  simdjson::dom::parser outer_parser;
  simdjson::dom::element outer;
  std::string_view text;
  if (outer_parser.parse(result).get(outer) != simdjson::SUCCESS ||
      outer["result"]["value"].get(text) != simdjson::SUCCESS) {
    state.raw = result;
    return state;
  }
  state.raw = std::string(text);
  simdjson::dom::parser parser;
  simdjson::dom::element s;
  if (parser.parse(state.raw).get(s) != simdjson::SUCCESS || !s.is_object()) return state;
  auto number = [&](const char* key) {
    double value = 0;
    read_field(s[key], value);
    return value;
  };
  auto count = [&](const char* key) { return static_cast<long>(number(key)); };
  auto flag = [&](const char* key) {
    bool value = false;
    read_field(s[key], value);
    return value;
  };
  state.valid = true;
  state.connected = flag("connected");
  state.polls = count("polls");
  state.samples = count("samples");
  state.failures = count("failures");
  state.script_errors = count("scriptErrors");
  state.pending_rows = count("pendingRows");
  state.rate_rows = count("rateRows");
  state.streams = count("streams");
  state.leafs = count("leafs");
  state.max_msgs_in = number("maxMsgsIn");
  state.max_msgs_out = number("maxMsgsOut");
  state.max_bytes_in = number("maxBytesIn");
  state.max_bytes_out = number("maxBytesOut");
  state.min_chart_points = count("minChartPoints");
  state.jetstream_shown = flag("jetstreamShown");
  state.leafs_shown = flag("leafsShown");
  std::string_view status;
  if (s["status"].get(status) == simdjson::SUCCESS) state.status = std::string(status);
  return state;
}

// Console output the page must never produce: exceptions, console.error/warn/assert, and browser log
// entries at error level. A failed fetch is logged by the browser itself (source "network"); that is
// expected only while the server is down, and `outage` says whether it is.
struct ConsoleWatch {
  std::vector<std::string> errors;

  void take(Chromium& browser, bool outage) {
    simdjson::dom::parser parser;
    for (const auto& event : browser.take_events()) {
      simdjson::dom::element doc;
      std::string_view method;
      if (parser.parse(event).get(doc) != simdjson::SUCCESS ||
          doc["method"].get(method) != simdjson::SUCCESS) {
        continue;
      }
      if (method == "Runtime.exceptionThrown") {
        errors.push_back(event);
      } else if (method == "Runtime.consoleAPICalled") {
        std::string_view type;
        read_field(doc["params"]["type"], type);
        if (type == "error" || type == "warning" || type == "assert") errors.push_back(event);
      } else if (method == "Log.entryAdded") {
        std::string_view level, source;
        read_field(doc["params"]["entry"]["level"], level);
        read_field(doc["params"]["entry"]["source"], source);
        if (level == "error" && !(outage && source == "network")) errors.push_back(event);
      }
    }
  }
};

std::string describe(const PageState& state) {
  return "page state: " + state.raw;
}

}  // namespace

TEST_CASE("the dashboard shows live data, survives an outage and logs no errors", "[browser]") {
  const std::string chromium = env_or("TERN_CHROMIUM", TERN_CHROMIUM_PATH);
  if (chromium.empty() || access(chromium.c_str(), X_OK) != 0) TERN_SKIP("no chromium");
  const std::string server = env_or("TERN_DASHBOARD_SERVER", TERN_NATS_SERVER_PATH);
  if (server.empty() || access(server.c_str(), X_OK) != 0) TERN_SKIP("no server to test against");
  const bool require_served = env_or("TERN_DASHBOARD_REQUIRE_SERVED", "") == "1";
  const std::string screenshot = env_or("TERN_DASHBOARD_SCREENSHOT", "");
  const std::filesystem::path page_source = TERN_DASHBOARD_HTML_PATH;
  // nats-server is the reference: it also runs JetStream and a leaf node, which ternd has not.
  const bool reference = std::filesystem::path(server).filename() == "nats-server";

  const int monitor_port = free_port();
  const int leaf_port = reference ? free_port() : 0;
  const std::filesystem::path store_dir = make_temp_dir("tern-dashboard-js-");
  ServerLaunch hub_launch;
  hub_launch.executable = server;
  hub_launch.extra_args = {"-m", std::to_string(monitor_port)};
  if (reference) {
    hub_launch.config_text = "server_name: \"hub\"\njetstream { store_dir: \"" + store_dir.string() +
                             "\" }\nleafnodes { listen: \"127.0.0.1:" + std::to_string(leaf_port) + "\" }\n";
  }
  auto hub = std::make_unique<ServerProcess>(hub_launch);
  std::unique_ptr<ServerProcess> leaf;
  if (reference) {
    ServerLaunch leaf_launch;
    leaf_launch.executable = server;
    leaf_launch.config_text =
        "server_name: \"edge\"\nleafnodes { remotes = [ { url: \"nats-leaf://127.0.0.1:" +
        std::to_string(leaf_port) + "\" } ] }\n";
    leaf = std::make_unique<ServerProcess>(leaf_launch);
  }
  INFO("server: " << server << ", monitoring port " << monitor_port);

  // Where the page comes from: the server itself, or the source file pointed at the server.
  std::string url;
  std::vector<std::string> flags = {"--window-size=1280,900"};
  const HttpReply served = http_get(monitor_port, "/dashboard");
  if (served.status == 200) {
    REQUIRE(served.body == read_file(page_source));
    url = "http://127.0.0.1:" + std::to_string(monitor_port) + "/dashboard";
  } else {
    REQUIRE_FALSE(require_served);
    url = "file://" + page_source.string() + "?base=http://127.0.0.1:" + std::to_string(monitor_port) + "/";
    flags.push_back("--disable-web-security");
  }
  INFO("page: " << url);

  auto traffic = std::make_unique<Traffic>(hub->port());
  if (reference) {
    // One stream, created through the JetStream API, and the leaf node's connection, both in place
    // before the page loads.
    RawConnection admin = connect_client(hub->port(), "js-admin");
    const std::string request = R"({"name":"ORDERS","subjects":["orders.>"],"max_msgs":100000})";
    admin.send("SUB _INBOX.admin 1\r\nPUB $JS.API.STREAM.CREATE.ORDERS _INBOX.admin " +
               std::to_string(request.size()) + "\r\n" + request + "\r\n");
    REQUIRE(admin.read_line(10000ms).value_or("").rfind("MSG _INBOX.admin", 0) == 0);
    REQUIRE(wait_for_http(
        monitor_port, "/jsz", [](const std::string& b) { return json_int(b, "streams") == 1; }, 10000ms));
    REQUIRE(wait_for_http(
        monitor_port, "/leafz", [](const std::string& b) { return json_int(b, "leafnodes") == 1; }, 10000ms));
  }

  Chromium browser(chromium, flags);
  const std::string target = browser.call("Target.createTarget", "{\"url\":\"about:blank\"}");
  simdjson::dom::parser parser;
  std::string_view target_id;
  REQUIRE(parser.parse(target)["targetId"].get(target_id) == simdjson::SUCCESS);
  const std::string attached = browser.call(
      "Target.attachToTarget", "{\"targetId\":\"" + std::string(target_id) + "\",\"flatten\":true}");
  std::string_view session_view;
  REQUIRE(parser.parse(attached)["sessionId"].get(session_view) == simdjson::SUCCESS);
  const std::string session(session_view);
  browser.call("Runtime.enable", "{}", session);
  browser.call("Log.enable", "{}", session);
  browser.call("Page.enable", "{}", session);
  browser.call("Emulation.setDeviceMetricsOverride",
               R"({"width":1280,"height":900,"deviceScaleFactor":1,"mobile":false})", session);
  browser.call("Page.navigate", "{\"url\":" + json_quote(url) + "}", session);

  ConsoleWatch console;
  PageState state;

  // 1. Live: every chart has points, the rates moved, the tables have rows; against nats-server the
  // stream and the leaf node are listed. A screenshot waits for a minute of history.
  const long samples_wanted = screenshot.empty() ? 4 : 60;
  {
    const auto deadline = Clock::now() + (screenshot.empty() ? 30s : 120s);
    bool done = false;
    while (!done && Clock::now() < deadline) {
      traffic->publish_for_sample(state.samples);
      state = read_state(browser, session);
      console.take(browser, false);
      done = state.valid && state.connected && state.status == "live" && state.samples >= samples_wanted &&
             state.min_chart_points >= 3 && state.max_msgs_in > 0 && state.max_msgs_out > 0 &&
             state.max_bytes_in > 0 && state.max_bytes_out > 0 && state.pending_rows >= 3 &&
             state.rate_rows >= 2 &&
             (!reference ||
              (state.jetstream_shown && state.streams == 1 && state.leafs_shown && state.leafs == 1));
    }
    INFO(describe(state) << "\nchromium log:\n" << browser.log_text());
    REQUIRE(done);
    CHECK(state.failures == 0);
  }
  CHECK(state.script_errors == 0);
  for (const auto& error : console.errors)
    UNSCOPED_INFO(error);
  CHECK(console.errors.empty());

  if (!screenshot.empty()) {
    const std::string shot = browser.call("Page.captureScreenshot", R"({"format":"png"})", session);
    std::string_view data;
    REQUIRE(parser.parse(shot)["data"].get(data) == simdjson::SUCCESS);
    // DevTools sends the PNG as standard base64.
    const auto png = tern::protocol::base64_decode(data);
    REQUIRE(png);
    std::ofstream(screenshot, std::ios::binary) << *png;
    std::cout << "screenshot saved to " << screenshot << std::endl;
  }

  // 2. Outage: the server goes away; the page says so and keeps polling.
  traffic.reset();
  leaf.reset();
  hub->stop();
  {
    const auto deadline = Clock::now() + 15s;
    do {
      state = read_state(browser, session);
      console.take(browser, true);
    } while (!(state.valid && !state.connected && state.status == "disconnected") && Clock::now() < deadline);
    INFO(describe(state));
    REQUIRE_FALSE(state.connected);
    REQUIRE(state.status == "disconnected");
  }
  const long failures_seen = state.failures;
  {
    // Still polling: another round fails too.
    const auto deadline = Clock::now() + 15s;
    do {
      state = read_state(browser, session);
      console.take(browser, true);
    } while (state.failures <= failures_seen && Clock::now() < deadline);
    INFO(describe(state));
    REQUIRE(state.failures > failures_seen);
  }

  // 3. Back: a new server on the same monitoring port; the page reconnects by itself (its counters
  // start again from zero, which must not become a negative rate or an error).
  hub = std::make_unique<ServerProcess>(hub_launch);
  {
    const auto deadline = Clock::now() + 15s;
    do {
      state = read_state(browser, session);
      console.take(browser, true);
    } while (!(state.valid && state.connected && state.status == "live") && Clock::now() < deadline);
    INFO(describe(state));
    REQUIRE(state.connected);
  }
  // Two more rounds after the reconnection: by then every failed fetch of the outage has been logged,
  // so anything logged from here on is an error in normal operation.
  const long samples_back = state.samples;
  console.take(browser, true);
  {
    const auto deadline = Clock::now() + 15s;
    do {
      state = read_state(browser, session);
      console.take(browser, false);
    } while (state.samples < samples_back + 2 && Clock::now() < deadline);
    INFO(describe(state));
    REQUIRE(state.samples >= samples_back + 2);
  }
  CHECK(state.script_errors == 0);
  for (const auto& error : console.errors)
    UNSCOPED_INFO(error);
  CHECK(console.errors.empty());

  hub.reset();
  std::error_code ignored;
  std::filesystem::remove_all(store_dir, ignored);
}

}  // namespace tern::test
