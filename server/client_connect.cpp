// The CONNECT op of a client connection and authentication, including bcrypt checks on libuv's thread
// pool.
#include "server/client_connection.h"

#include <cstring>

#include "protocol/frames.h"
#include "server/log.h"
#include "server/server.h"

namespace tern::server {

namespace {

// The CONNECT text for a trace line, with the password and token values masked as nats-server does.
std::string redact_connect_for_trace(std::string_view json) {
  std::string text(json);
  for (std::string_view key : {std::string_view("\"pass\""), std::string_view("\"auth_token\"")}) {
    const std::size_t at = text.find(key);
    if (at == std::string::npos) continue;
    // The key, optional blanks, a colon, optional blanks, then the quoted value.
    std::size_t i = at + key.size();
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
      ++i;
    if (i >= text.size() || text[i] != ':') continue;
    ++i;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
      ++i;
    if (i >= text.size() || text[i] != '"') continue;
    const std::size_t start = i;
    std::size_t end = start + 1;
    while (end < text.size() && text[end] != '"')
      end += text[end] == '\\' ? 2 : 1;
    if (end >= text.size()) continue;
    text.replace(start + 1, end - start - 1, "[REDACTED]");
  }
  return text;
}

}  // namespace

void ClientConnection::process_connect(const protocol::Op& op) {
  auto& log = server_.log();
  if (log.trace_enabled()) log.trace_in(ident_, "CONNECT", redact_connect_for_trace(op.arg));
  // Fields absent from a later CONNECT keep the values an earlier one set, as in nats-server.
  if (protocol::parse_connect(op.arg, connect_) != protocol::ConnectParseError::kNone) {
    log.client_error(ident_, "processing CONNECT: malformed JSON");
    close(CloseReason::kProtocolViolation);
    return;
  }
  // The first CONNECT measures the round trip since INFO was sent, as nats-server does.
  if (!connect_received_) rtt_ = Clock::now() - info_sent_at_;
  connect_received_ = true;
  last_traffic_ms_ = uv_now(loop_);
  publisher_.echo = connect_.echo;
  update_ident();

  // The authentication timeout ends with the first CONNECT, whatever its outcome.
  auth_deadline_ = Clock::time_point::max();
  // Every CONNECT authenticates again, as in nats-server.
  if (server_.auth_required()) {
    if (server_.authenticator().uses_bcrypt()) {
      start_async_auth();
      return;
    }
    if (!check_credentials(connect_)) {
      send_err("Authorization Violation");
      log.client_error(ident_, "authentication error");
      close(CloseReason::kAuthorizationViolation);
      return;
    }
    parser_.set_require_connect(false);
  }
  if (state_ == ConnectionState::kAwaitingAuth) set_state(ConnectionState::kOpen);
  finish_connect();
}

void ClientConnection::finish_connect() {
  auto& log = server_.log();
  if (connect_.protocol < 0 || connect_.protocol > 1) {
    send_err("invalid client protocol");
    close(CloseReason::kBadClientProtocolVersion);
    return;
  }
  headers_ = connect_.headers && !server_.options().no_header_support;
  parser_.set_headers_allowed(headers_);
  if (connect_.no_responders && !headers_) {
    send_err("no responders requires headers support");
    log.client_error(ident_, "no responders requires headers support");
    close(CloseReason::kNoRespondersRequiresHeaders);
    return;
  }
  if (connect_.verbose) queue_outbound(protocol::kOkFrame);
  // nats-server takes CONNECT as the first round-trip measurement and restarts its ping schedule:
  // the first PING comes soon, randomised by up to a fifth so that clients connecting together
  // spread out.
  const auto now = Clock::now();
  rtt_measured_at_ = now;
  auto first = std::min<Clock::duration>(kFirstPingInterval, server_.options().ping_interval);
  const auto jitter_ms = std::chrono::duration_cast<std::chrono::milliseconds>(first).count() / 5;
  if (jitter_ms > 0)
    first += std::chrono::milliseconds(server_.random().below(static_cast<std::uint64_t>(jitter_ms)));
  next_ping_ = now + first;
  arm_timer();
}

void ClientConnection::start_async_auth() {
  auth_work_ = std::make_unique<AuthWork>();
  AuthWork& work = *auth_work_;
  work.req.data = this;
  work.token = connect_.auth_token;
  work.user = connect_.user;
  work.pass = connect_.pass;
  work.credentials = ClientCredentials{work.token, work.user, work.pass};
  work.authenticator = server_.authenticator_snapshot();
  if (const int rc = uv_queue_work(loop_, &work.req, on_auth_work, on_auth_done); rc != 0) {
    auth_work_.reset();
    server_.log().client_error(ident_, std::string("authentication not started: ") + uv_strerror(rc));
    close(CloseReason::kAuthorizationViolation);
    return;
  }
  ++open_handles_;
  set_state(ConnectionState::kAuthenticating);
}

void ClientConnection::on_auth_work(uv_work_t* req) noexcept {
  // On a thread-pool thread: touches only the work item and the immutable authenticator.
  auto* conn = static_cast<ClientConnection*>(req->data);
  AuthWork& work = *conn->auth_work_;
  work.authorized = work.authenticator->check(work.credentials);
}

void ClientConnection::on_auth_done(uv_work_t* req, int status) noexcept {
  auto* conn = static_cast<ClientConnection*>(req->data);
  // UV_ECANCELED when close() took the work back before a thread ran it.
  const bool authorized = status == 0 && conn->auth_work_->authorized;
  conn->auth_work_.reset();
  if (!conn->closing()) conn->finish_async_auth(authorized);
  conn->release_reference();
}

void ClientConnection::finish_async_auth(bool authorized) noexcept {
  if (!authorized) {
    send_err("Authorization Violation");
    server_.log().client_error(ident_, "authentication error");
    close(CloseReason::kAuthorizationViolation);
    return;
  }
  parser_.set_require_connect(false);
  // Reading resumes; no read can land before the input that waited has been processed below, since
  // libuv reports reads only from a later turn of the loop.
  set_state(ConnectionState::kOpen);
  finish_connect();
  if (closing()) return;
  try {
    // What followed CONNECT in its read (which may hold another CONNECT and pause again).
    const std::string input = std::move(deferred_input_);
    deferred_input_.clear();
    if (!input.empty()) process_input(input);
  } catch (const std::exception& e) {
    server_.log().error(ident_ + " - " + e.what());
    close(CloseReason::kProtocolViolation);
  }
  if (!closing()) stall_if_congested();
}

bool ClientConnection::check_credentials(const protocol::ConnectOptions& connect) const {
  return server_.authenticator().check(ClientCredentials{connect.auth_token, connect.user, connect.pass});
}

}  // namespace tern::server
