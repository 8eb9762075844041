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
  connect_received_ = true;
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
    awaiting_auth_ = false;
    parser_.set_require_connect(false);
  }
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
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
  if (uv_queue_work(server_.loop(), &work.req, on_auth_work, on_auth_done) != 0) {
    auth_work_.reset();
    close(CloseReason::kAuthorizationViolation);
    return;
  }
  ++open_handles_;
}

void ClientConnection::on_auth_work(uv_work_t* req) noexcept {
  // On a thread-pool thread: touches only the work item and the immutable authenticator.
  auto* conn = static_cast<ClientConnection*>(req->data);
  AuthWork& work = *conn->auth_work_;
  work.authorized = work.authenticator->check(work.credentials);
}

void ClientConnection::on_auth_done(uv_work_t* req, int status) noexcept {
  auto* conn = static_cast<ClientConnection*>(req->data);
  const bool authorized = status == 0 && conn->auth_work_->authorized;
  conn->auth_work_.reset();
  if (conn->closing_) {
    conn->release_reference();
    return;
  }
  --conn->open_handles_;
  if (!authorized) {
    conn->send_err("Authorization Violation");
    conn->server_.log().client_error(conn->ident_, "authentication error");
    conn->close(CloseReason::kAuthorizationViolation);
    return;
  }
  conn->awaiting_auth_ = false;
  conn->parser_.set_require_connect(false);
  conn->finish_connect();
  if (conn->closing_) return;
  try {
    // What followed CONNECT in its read, then reading resumes (unless another CONNECT paused it).
    const std::string input = std::move(conn->deferred_input_);
    conn->deferred_input_.clear();
    if (!input.empty()) conn->process_input(input);
  } catch (const std::exception& e) {
    conn->server_.log().error(conn->ident_ + " - " + e.what());
    conn->close(CloseReason::kProtocolViolation);
  }
  if (!conn->closing_ && conn->auth_work_ == nullptr) {
    uv_read_start(reinterpret_cast<uv_stream_t*>(&conn->tcp_), on_alloc, on_read);
  }
}

bool ClientConnection::check_credentials(const protocol::ConnectOptions& connect) const {
  return server_.authenticator().check(ClientCredentials{connect.auth_token, connect.user, connect.pass});
}

}  // namespace tern::server
