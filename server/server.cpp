#include "server/server.h"

#include <unistd.h>

#include <cassert>
#include <stdexcept>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <variant>

#include "protocol/info.h"
#include "server/client_connection.h"
#include "server/jetstream/jetstream.h"
#include "server/monitor/monitor.h"

namespace tern::server {

namespace {

constexpr auto kHousekeepingInterval = std::chrono::milliseconds(250);
// Non-blocking loop turns tried after the last read before the loop sleeps.
constexpr int kBusyPollTurns = 64;
// How long shutdown waits for clients to take what is queued for them (at most the write deadline).
constexpr auto kShutdownGrace = std::chrono::milliseconds(2000);

// A server id in the shape of nats-server's: 'N' and 55 characters of base32.
std::string make_server_id(std::mt19937_64 random) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string id = "N";
  for (int i = 0; i < 55; ++i)
    id.push_back(kAlphabet[random() % 32]);
  return id;
}

}  // namespace

Server::Server(Options options, Logger& log, FlagOverrides flags)
    : options_(std::move(options)),
      log_(log),
      flags_(std::move(flags)),
      authenticator_(std::make_shared<const Authenticator>(options_.authorization)),
      random_((static_cast<std::uint64_t>(std::random_device{}()) << 32) | std::random_device{}()) {
  if (const int rc = uv_loop_init(&loop_); rc != 0)
    throw std::runtime_error(std::string("Error initialising the event loop: ") + uv_strerror(rc));
  loop_.data = this;
}

Server::~Server() {
  // After a clean shutdown every handle is closed already; after a failed start some are open. The
  // monitor closes its own, so that its connections are freed through their close callbacks.
  close_monitor();
  uv_walk(
      &loop_,
      [](uv_handle_t* handle, void*) {
        if (uv_is_closing(handle) == 0) uv_close(handle, nullptr);
      },
      nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
}

std::string Server::init_handles() {
  int rc = uv_tcp_init(&loop_, &listener_);
  if (rc != 0) return std::string("uv_tcp_init: ") + uv_strerror(rc);
  // The rest cannot fail on a live loop (uv_signal_init only fails when the loop's signal pipe could not
  // be made, which uv_loop_init already did), but every result is checked all the same.
  const int results[] = {
      uv_check_init(&loop_, &check_),
      uv_prepare_init(&loop_, &prepare_),
      uv_timer_init(&loop_, &housekeeping_),
      uv_timer_init(&loop_, &shutdown_timer_),
      uv_timer_init(&loop_, &lame_duck_timer_),
      uv_timer_init(&loop_, &stall_timer_),
      uv_idle_init(&loop_, &idle_),
      uv_signal_init(&loop_, &sigint_),
      uv_signal_init(&loop_, &sigterm_),
      uv_signal_init(&loop_, &sigusr1_),
      uv_signal_init(&loop_, &sigusr2_),
      uv_signal_init(&loop_, &sighup_),
  };
  for (const int result : results) {
    if (result != 0) return std::string("Error initialising the event loop: ") + uv_strerror(result);
  }
  listener_.data = check_.data = prepare_.data = housekeeping_.data = shutdown_timer_.data = this;
  lame_duck_timer_.data = stall_timer_.data = idle_.data = this;
  sigint_.data = sigterm_.data = sigusr1_.data = sigusr2_.data = sighup_.data = this;
  return {};
}

void Server::check_uv(int rc, const char* what) noexcept {
  // For calls that fail only on a misused handle: a bug, asserted in debug builds and logged otherwise.
  assert(rc == 0);
  if (rc != 0) log_.error(std::string(what) + " failed: " + uv_strerror(rc));
}

std::string Server::start() {
  server_id_ = make_server_id(std::mt19937_64(std::random_device{}()));
  const std::string& server_id = server_id_;

  sockaddr_storage addr{};
  const int port = options_.port < 0 ? 0 : options_.port;
  if (uv_ip4_addr(options_.host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr)) != 0 &&
      uv_ip6_addr(options_.host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr)) != 0) {
    return "invalid listen address: " + options_.host;
  }
  // Every handle is initialised before anything can fail, so that ~Server may close them all.
  if (const std::string error = init_handles(); !error.empty()) return error;
  listening_ = true;
  int rc = uv_tcp_bind(&listener_, reinterpret_cast<const sockaddr*>(&addr), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 511, on_connection);
  if (rc != 0) {
    return "Error listening on port: " + options_.host + ":" + std::to_string(port) + ", \"" +
           uv_strerror(rc) + "\"";
  }
  sockaddr_storage bound{};
  int len = sizeof bound;
  if (rc = uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&bound), &len); rc != 0)
    return std::string("Error reading the listening address: ") + uv_strerror(rc);
  bound_port_ = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  build_info_prefix();

  // The end-of-turn work runs after the I/O callbacks (check) and again before the loop waits
  // (prepare), so that what timers and deferred write callbacks queue goes out without waiting for
  // the next wake-up.
  const auto tick = static_cast<std::uint64_t>(kHousekeepingInterval.count());
  const std::pair<int, const char*> started[] = {
      {uv_check_start(&check_, on_check), "uv_check_start"},
      {uv_prepare_start(&prepare_, on_prepare), "uv_prepare_start"},
      {uv_timer_start(&housekeeping_, on_housekeeping, tick, tick), "uv_timer_start"},
      {uv_signal_start(&sigint_, on_signal, SIGINT), "uv_signal_start(SIGINT)"},
      {uv_signal_start(&sigterm_, on_signal, SIGTERM), "uv_signal_start(SIGTERM)"},
      {uv_signal_start(&sigusr1_, on_reopen_log_signal, SIGUSR1), "uv_signal_start(SIGUSR1)"},
      {uv_signal_start(&sigusr2_, on_lame_duck_signal, SIGUSR2), "uv_signal_start(SIGUSR2)"},
      {uv_signal_start(&sighup_, on_reload_signal, SIGHUP), "uv_signal_start(SIGHUP)"},
  };
  for (const auto& [code, what] : started) {
    if (code != 0) return std::string(what) + ": " + uv_strerror(code);
  }
  // The signal handles stay installed until the loop has ended, so that a second SIGTERM during
  // shutdown finds our handler instead of the default one; unreferenced, they do not keep it running.
  for (uv_signal_t* signal : {&sigint_, &sigterm_, &sigusr1_, &sigusr2_, &sighup_})
    uv_unref(reinterpret_cast<uv_handle_t*>(signal));
  uv_unref(reinterpret_cast<uv_handle_t*>(&lame_duck_timer_));

  log_.info("Starting ternd (nats-server " + std::string(kCompatibleNatsVersion) + " compatible)");
  log_.info("  Version:  " + std::string(kTerndVersion));
  log_.info("  ID:       " + server_id);
  if (!options_.config_file.empty()) log_.info("Using configuration file: " + options_.config_file);
  if (!options_.pid_file.empty()) {
    std::ofstream pid(options_.pid_file, std::ios::trunc);
    pid << getpid();
    if (!pid) return "Could not write pid file: " + options_.pid_file;
  }
  if (options_.http_port != 0) {
    // As nats-server, the monitoring port opens before the client port is announced.
    monitor::HttpLimits limits;
    limits.max_connections = static_cast<std::size_t>(options_.http_max_connections);
    monitor_ = std::make_unique<monitor::Monitor>(*this, &loop_, limits);
    const std::string http_host = options_.http_host.empty() ? options_.host : options_.http_host;
    if (std::string error = monitor_->start(http_host, options_.http_port); !error.empty()) {
      monitor_open_ = true;  // Its handles, if any, close with the loop.
      return "Can't listen to the Monitor's port: " + http_host + ":" + std::to_string(options_.http_port) +
             ", \"" + error + "\"";
    }
    monitor_open_ = true;
    log_.info("Starting http monitor on " + http_host + ":" + std::to_string(monitor_->bound_port()));
  }
  if (options_.jetstream.enabled) {
    jetstream_ = std::make_unique<jetstream::JetStream>(*this, options_.jetstream);
    if (std::string error = jetstream_->start(); !error.empty()) return error;
  }
  log_.info("Listening for client connections on " + options_.host + ":" + std::to_string(bound_port_));
  write_ports_file();
  log_.info("Server is ready");
  return {};
}

void Server::build_info_prefix() {
  protocol::ServerInfo info;
  info.server_id = server_id_;
  info.server_name = options_.server_name.empty() ? server_id_ : options_.server_name;
  info.version = kCompatibleNatsVersion;
  info.go = "ternd " + std::string(kTerndVersion);
  info.host = options_.host;
  info.port = bound_port_;
  info.headers = !options_.no_header_support;
  info.auth_required = auth_required();
  info.max_payload = options_.max_payload;
  info.jetstream = options_.jetstream.enabled;
  info_prefix_ = protocol::info_prefix(info);
}

std::string Server::info_line(std::uint64_t cid, const std::string& client_ip, bool lame_duck) const {
  std::string line;
  protocol::append_info_line(line, info_prefix_, {cid, client_ip, lame_duck});
  return line;
}

void Server::write_ports_file() {
  if (options_.ports_file_dir.empty()) return;
  // nats-server names the file after its executable and pid; tools look for "<exe>_<pid>.ports".
  char exe[4096] = {};
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  const std::string base =
      n > 0 ? std::filesystem::path(std::string(exe, static_cast<std::size_t>(n))).filename().string()
            : std::string("ternd");
  ports_file_ =
      (std::filesystem::path(options_.ports_file_dir) / (base + "_" + std::to_string(getpid()) + ".ports"))
          .string();
  const std::string host = options_.host == "0.0.0.0" || options_.host.empty() ? "127.0.0.1" : options_.host;
  const std::string tmp = ports_file_ + ".tmp";
  {
    std::ofstream file(tmp, std::ios::trunc);
    file << "{\"nats\":[\"nats://" << host << ":" << bound_port_ << "\"]";
    if (monitor_ != nullptr) {
      const std::string http_host =
          options_.http_host.empty() || options_.http_host == "0.0.0.0" ? host : options_.http_host;
      file << ",\"monitoring\":[\"http://" << http_host << ":" << monitor_->bound_port() << "\"]";
    }
    file << "}";
    if (!file) {
      // nats-server logs this and keeps running; so does ternd.
      log_.error("Error writing ports file (" + ports_file_ + "): cannot write " + tmp);
      ports_file_.clear();
      return;
    }
  }
  // Renamed into place so that a reader never sees a half-written file.
  std::error_code error;
  std::filesystem::rename(tmp, ports_file_, error);
  if (error) {
    log_.error("Error writing ports file (" + ports_file_ + "): " + error.message());
    std::filesystem::remove(tmp, error);
    ports_file_.clear();
  }
}

void Server::remove_files() noexcept {
  std::error_code ignored;
  if (!ports_file_.empty()) std::filesystem::remove(ports_file_, ignored);
  if (!options_.pid_file.empty()) std::filesystem::remove(options_.pid_file, ignored);
}

int Server::run() {
  // After a turn with a large read (a stream under load), the loop polls without blocking for a few
  // more turns before it sleeps: the next bytes usually arrive within microseconds, and catching them
  // without a wake-up saves the scheduler's round trip. An idle server still sleeps in epoll_wait.
  int idle_polls = kBusyPollTurns;
  while (uv_loop_alive(&loop_) != 0) {
    const std::uint64_t reads_before = reads_;
    if (idle_polls < kBusyPollTurns) {
      uv_run(&loop_, UV_RUN_NOWAIT);
    } else {
      uv_run(&loop_, UV_RUN_ONCE);
    }
    idle_polls = reads_ != reads_before ? 0 : idle_polls + 1;
  }
  remove_files();
  log_.info("Server Exiting..");
  return 0;
}

void Server::shutdown() noexcept {
  if (shutting_down_) return;
  shutting_down_ = true;
  log_.info("Initiating Shutdown...");
  if (listening_) uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
  close_monitor();
  // What streams appended goes to the disk, and its PubAcks to the connections before they drain.
  if (jetstream_ != nullptr) jetstream_->shutdown();
  // Every connection stops reading and gets a grace period to take what is queued for it; those still
  // writing when it ends are closed with their writes cancelled.
  for (auto& [cid, conn] : connections_)
    conn->begin_shutdown();
  const auto grace = std::min<std::chrono::milliseconds>(options_.write_deadline, kShutdownGrace);
  check_uv(uv_timer_start(&shutdown_timer_, on_shutdown_timer, static_cast<std::uint64_t>(grace.count()), 0),
           "uv_timer_start");
  end_of_turn();
  close_server_handles_when_idle();
}

void Server::close_monitor() noexcept {
  if (!monitor_open_) return;
  monitor_open_ = false;
  monitor_->close([] {});
}

int Server::monitor_port() const noexcept {
  return monitor_ != nullptr ? monitor_->bound_port() : 0;
}

void Server::on_shutdown_timer(uv_timer_t* timer) noexcept {
  auto* server = static_cast<Server*>(timer->data);
  for (auto& [cid, conn] : server->connections_)
    conn->close(CloseReason::kServerShutdown);
  server->end_of_turn();
}

void Server::close_server_handles_when_idle() noexcept {
  // The loop ends once these are closed; they keep flushing until the last connection is gone.
  if (!shutting_down_ || !connections_.empty() || server_handles_closed_) return;
  server_handles_closed_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&prepare_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&housekeeping_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&shutdown_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&lame_duck_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&stall_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&idle_), nullptr);
}

void Server::on_reopen_log_signal(uv_signal_t* signal, int) noexcept {
  // For log rotation, as nats-server does on SIGUSR1.
  auto* server = static_cast<Server*>(signal->data);
  if (auto error = server->log_.reopen()) server->log_.error("Error reopening the log file: " + *error);
}

void Server::on_reload_signal(uv_signal_t* signal, int) noexcept {
  auto* server = static_cast<Server*>(signal->data);
  if (std::string error = server->reload(); !error.empty()) server->log_.error("Failed to reload: " + error);
}

std::string Server::reload() noexcept {
  try {
    auto result = load_options(flags_);
    if (auto* error = std::get_if<std::string>(&result)) return *error;
    LoadedOptions& loaded = std::get<LoadedOptions>(result);
    Options& next = loaded.options;
    // What the listener and the files are bound to cannot move while running, as in nats-server.
    const auto refuse = [](const char* key) { return std::string("config reload not supported for ") + key; };
    if (next.host != options_.host) return refuse("host");
    if (next.port != options_.port) return refuse("port");
    if (next.pid_file != options_.pid_file) return refuse("pid_file");
    if (next.ports_file_dir != options_.ports_file_dir) return refuse("ports_file_dir");
    if (next.http_port != options_.http_port) return refuse("http_port");
    if (next.http_host != options_.http_host) return refuse("http_host");
    if (auto error = log_.configure(LogSettings{next.log_file, next.logtime, next.debug, next.trace}))
      return *error;
    for (const auto& warning : loaded.warnings)
      log_.warn(warning);
    // Connections read the options and the authenticator as they need them, so limits, keep-alive
    // and credentials apply at once; a connection's parser keeps the payload and control line limits
    // it started with, and connected clients are not asked to authenticate again.
    options_ = std::move(next);
    authenticator_ = std::make_shared<const Authenticator>(options_.authorization);
    build_info_prefix();
    config_loaded_at_ = std::chrono::system_clock::now();
    log_.info("Reloaded server configuration");
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

void Server::on_lame_duck_signal(uv_signal_t* signal, int) noexcept {
  static_cast<Server*>(signal->data)->enter_lame_duck();
}

void Server::enter_lame_duck() noexcept {
  if (shutting_down_ || lame_duck_) return;
  lame_duck_ = true;
  log_.info("Entering lame duck mode, stop accepting new clients");
  if (listening_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
    listening_ = false;
  }
  if (connections_.empty()) {
    shutdown();
    return;
  }
  for (auto& [cid, conn] : connections_)
    conn->notify_lame_duck();
  // The closes are spread over what remains of the duration after the grace period, as nats-server
  // does: one client per interval of at most a second, or batches when there are more clients than
  // milliseconds.
  using std::chrono::milliseconds;
  const auto spread = std::max<milliseconds>(options_.lame_duck_duration - options_.lame_duck_grace_period,
                                             milliseconds(1000));
  const auto count = static_cast<std::int64_t>(connections_.size());
  auto interval = milliseconds(spread.count() / count);
  lame_duck_batch_ = 1;
  if (interval < milliseconds(1)) {
    interval = milliseconds(1);
    lame_duck_batch_ = static_cast<std::size_t>(count / spread.count()) + 1;
  } else if (interval > milliseconds(1000)) {
    interval = milliseconds(1000);
  }
  uv_ref(reinterpret_cast<uv_handle_t*>(&lame_duck_timer_));
  check_uv(uv_timer_start(&lame_duck_timer_, on_lame_duck_timer,
                          static_cast<std::uint64_t>(options_.lame_duck_grace_period.count()),
                          static_cast<std::uint64_t>(interval.count())),
           "uv_timer_start");
}

void Server::on_lame_duck_timer(uv_timer_t* timer) noexcept {
  auto* server = static_cast<Server*>(timer->data);
  if (!server->lame_duck_closing_) {
    server->lame_duck_closing_ = true;
    server->log_.info("Closing existing clients");
  }
  std::size_t closed = 0;
  for (auto& [cid, conn] : server->connections_) {
    if (closed == server->lame_duck_batch_) break;
    if (conn->closing()) continue;
    conn->close(CloseReason::kServerShutdown);
    ++closed;
  }
  if (closed == 0) {
    server->check_uv(uv_timer_stop(timer), "uv_timer_stop");
    server->shutdown();
  }
}

void Server::on_signal(uv_signal_t* signal, int) noexcept {
  static_cast<Server*>(signal->data)->shutdown();
}

// ---- Accepting ---------------------------------------------------------------------------------------

void Server::on_connection(uv_stream_t* listener, int status) noexcept {
  auto* server = static_cast<Server*>(listener->data);
  if (status < 0) {
    server->log_.error(std::string("Error accepting client connection: ") + uv_strerror(status));
    return;
  }
  server->accept_connection();
}

void Server::accept_connection() noexcept {
  ClientConnection* conn = nullptr;
  try {
    conn = new ClientConnection(*this, next_cid_);
    connections_.emplace(next_cid_, conn);
  } catch (const std::bad_alloc&) {
    delete conn;
    log_.error("Out of memory accepting a client connection");
    return;
  }
  if (const int rc = conn->accept_from(reinterpret_cast<uv_stream_t*>(&listener_)); rc != 0) {
    log_.error(std::string("Error accepting client connection: ") + uv_strerror(rc));
    conn->close(CloseReason::kReadError);
    return;
  }
  ++next_cid_;
  ++counters_.total_connections;
  // The connection being accepted is already in connections_.
  // Connections already closing do not count, as in nats-server, which drops a client from its count
  // when the close begins.
  if (static_cast<std::int64_t>(connections_.size() - closing_connections_) > options_.max_connections) {
    log_.client_error(conn->ident(), "maximum connections exceeded");
    conn->refuse_max_connections();
    return;
  }
  log_.client_debug(conn->ident(), "Client connection created");
  conn->start();
}

// ---- Flushing, closing and forgetting connections ---------------------------------------------------

void Server::schedule_flush(FlushTarget& target) noexcept {
  try {
    flushes_.schedule(target);
  } catch (const std::bad_alloc&) {
    // Not flushed this turn; the next write or the write deadline brings it back.
    log_.error("Out of memory scheduling a flush");
  }
}

void Server::connection_closing(ClientConnection& conn) noexcept {
  ++closing_connections_;
  remember_closed(conn);
  try {
    close_list_.push_back(&conn);
  } catch (const std::bad_alloc&) {
    // Closed now instead of at the end of the turn; the caller touches nothing after close().
    conn.close_handles();
  }
  // A closing publisher waits for nothing; a closing receiver holds up no one.
  backpressure_.forget_publisher(conn.cid());
  if (jetstream_ != nullptr) jetstream_->receiver_drained(conn.cid());
  if (backpressure_.has_waiters(conn.cid())) resume_publishers(backpressure_.release_receiver(conn.cid()));
}

void Server::subscription_added(std::string_view subject) noexcept {
  if (jetstream_ != nullptr) jetstream_->subscription_added(subject);
}

void Server::retire(std::unique_ptr<Subscription> sub) noexcept {
  retired_subs_.push_back(std::move(sub));
}

ClientConnection* Server::find_connection(std::uint64_t cid) const noexcept {
  const auto found = connections_.find(cid);
  return found == connections_.end() ? nullptr : found->second;
}

void Server::forget(ClientConnection& conn) noexcept {
  if (connections_.erase(conn.cid()) != 0 && conn.closing()) --closing_connections_;
  flushes_.cancel(conn);
  close_server_handles_when_idle();
}

// ---- The end of each loop turn ----------------------------------------------------------------------

void Server::on_check(uv_check_t* check) noexcept {
  static_cast<Server*>(check->data)->end_of_turn();
}

void Server::on_prepare(uv_prepare_t* prepare) noexcept {
  static_cast<Server*>(prepare->data)->end_of_turn();
}

void Server::on_idle(uv_idle_t*) noexcept {
  // Nothing to do: an active idle handle only keeps the loop from sleeping, so that flushes carried
  // over at the per-turn cap go on at the next turn (prepare runs end_of_turn).
}

void Server::end_of_turn() noexcept {
  // Streams write what they appended this turn first, so that their PubAcks leave in this turn's flush.
  const bool consumers_carried = jetstream_ != nullptr && jetstream_->end_of_turn();
  // Flushing may close connections (write errors), and closing may queue nothing new: flush first.
  const bool carried = flushes_.run() || consumers_carried;
  if (carried != idle_active_ && !server_handles_closed_) {
    check_uv(carried ? uv_idle_start(&idle_, on_idle) : uv_idle_stop(&idle_), "uv_idle");
    idle_active_ = carried;
  }
  for (std::size_t i = 0; i < close_list_.size(); ++i)
    close_list_[i]->close_handles();
  close_list_.clear();
  retired_subs_.clear();
}

void Server::on_housekeeping(uv_timer_t* timer) noexcept {
  static_cast<Server*>(timer->data)->check_write_deadlines();
}

void Server::check_write_deadlines() noexcept {
  const auto now = std::chrono::steady_clock::now();
  const auto deadline = options_.write_deadline;
  for (auto& [cid, conn] : connections_) {
    const OutboundQueue& out = conn->outbound();
    if (out.write_in_flight() && !conn->closing() && now - out.write_started() > deadline) {
      conn->slow_consumer(CloseReason::kSlowConsumerWriteDeadline);
    }
  }
}

}  // namespace tern::server
