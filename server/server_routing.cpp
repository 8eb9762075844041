// Routing through the server (with publishes from inside a delivery deferred until the outer route
// ends) and backpressure (publishers paused while a receiver they fed is congested, and resumed).
#include <chrono>

#include "server/client_connection.h"
#include "server/jetstream/jetstream.h"
#include "server/server.h"

namespace tern::server {

// ---- Routing ---------------------------------------------------------------------------------------

RouteResult Server::route(Publisher& publisher, const RoutedMessage& msg) {
  if (route_depth_ > 0) {
    deferred_.push_back({&publisher, std::string(msg.subject), std::string(msg.reply),
                         std::string(msg.payload), msg.header_size, msg.blank_reply_token,
                         std::string(msg.route_subject)});
    return {};
  }
  ++route_depth_;
  struct DepthGuard {
    int& depth;
    ~DepthGuard() { --depth; }
  } guard{route_depth_};
  RouteResult result = tern::server::route(sublist_, publisher, msg, random_);
  if (!deferred_.empty()) route_deferred();
  return result;
}

void Server::route_deferred() noexcept {
  // Precondition: route_depth_ == 1 (inside the outermost route). Each deferred publish may defer more.
  while (!deferred_.empty()) {
    DeferredPublish next = std::move(deferred_.front());
    deferred_.pop_front();
    OwnedSizes sizes;
    try {
      RoutedMessage msg = sizes.make(next.subject, next.reply, next.payload, next.header_size);
      msg.blank_reply_token = next.blank_reply_token;
      msg.route_subject = next.route_subject;
      tern::server::route(sublist_, *next.publisher, msg, random_);
    } catch (const std::bad_alloc&) {
      log_.error("Out of memory routing an internal message on " + next.subject);
    }
  }
}

// ---- Backpressure ----------------------------------------------------------------------------------

bool Server::stall(ClientConnection& publisher, std::uint64_t receiver) noexcept {
  const ClientConnection* to = find_connection(receiver);
  if (to == nullptr || to->closing()) return false;
  const auto pending = static_cast<std::int64_t>(to->outbound().pending());
  if (!OutboundQueue::congested(to->outbound().pending(), options_.max_pending)) return false;
  const auto wait = Backpressure::stall_duration(pending, options_.max_pending);
  try {
    backpressure_.stall(publisher.cid(), receiver, std::chrono::steady_clock::now() + wait);
  } catch (const std::bad_alloc&) {
    return false;
  }
  ++counters_.stalled_publishers;
  if (log_.debug_enabled())
    log_.client_debug(publisher.ident(),
                      "Stalled for a slow receiver (cid " + std::to_string(receiver) + ")");
  arm_stall_timer();
  return true;
}

void Server::receiver_drained(ClientConnection& receiver) noexcept {
  if (jetstream_ != nullptr) jetstream_->receiver_drained(receiver.cid());
  if (!backpressure_.has_waiters(receiver.cid())) return;
  try {
    resume_publishers(backpressure_.release_receiver(receiver.cid()));
  } catch (const std::bad_alloc&) {
    // The time bound resumes them instead.
  }
}

void Server::resume_publishers(const std::vector<std::uint64_t>& ids) noexcept {
  for (const std::uint64_t id : ids) {
    if (ClientConnection* conn = find_connection(id)) conn->resume_reading();
  }
  arm_stall_timer();
}

void Server::arm_stall_timer() noexcept {
  const auto next = backpressure_.next_deadline();
  if (!next) {
    check_uv(uv_timer_stop(&stall_timer_), "uv_timer_stop");
    return;
  }
  const auto delay = std::chrono::ceil<std::chrono::milliseconds>(*next - std::chrono::steady_clock::now());
  check_uv(uv_timer_start(&stall_timer_, on_stall_timer,
                          static_cast<std::uint64_t>(std::max<std::int64_t>(delay.count(), 0)), 0),
           "uv_timer_start");
}

void Server::on_stall_timer(uv_timer_t* timer) noexcept {
  auto* server = static_cast<Server*>(timer->data);
  try {
    server->resume_publishers(server->backpressure_.release_expired(std::chrono::steady_clock::now()));
  } catch (const std::bad_alloc&) {
    server->arm_stall_timer();
  }
}

}  // namespace tern::server
