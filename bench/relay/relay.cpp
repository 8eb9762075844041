#include "bench/relay/relay.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

#include "bench/relay/relay_connection.h"
#include "protocol/subject.h"

namespace tern::bench::relay {

std::string Relay::listen(const std::string& host, int port) {
  sockaddr_storage address{};
  int rc = uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&address));
  if (rc != 0) rc = uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&address));
  if (rc != 0) return "bad address " + host + ": " + uv_strerror(rc);
  rc = uv_tcp_init(loop_, &listener_);
  if (rc != 0) return std::string("uv_tcp_init: ") + uv_strerror(rc);
  listener_.data = this;
  rc = uv_tcp_bind(&listener_, reinterpret_cast<const sockaddr*>(&address), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 511, on_connection);
  if (rc != 0) return "cannot listen on " + host + ":" + std::to_string(port) + ": " + uv_strerror(rc);
  sockaddr_storage bound{};
  int length = sizeof bound;
  rc = uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&bound), &length);
  if (rc != 0) return std::string("uv_tcp_getsockname: ") + uv_strerror(rc);
  bound_port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                  : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  // The version is the one ternd reports, so that clients gating features on it treat both alike;
  // headers are off because the relay does not carry HPUB.
  info_frame_ = R"(INFO {"server_id":"tern-relay","server_name":"tern-relay","version":"2.9.10",)"
                R"("go":"tern-relay","host":")" +
                host + R"(","port":)" + std::to_string(bound_port_) +
                R"(,"headers":false,"max_payload":1048576,"proto":1})" + "\r\n";
  return {};
}

void Relay::on_connection(uv_stream_t* listener, int status) noexcept {
  auto* relay = static_cast<Relay*>(listener->data);
  if (status != 0) {
    std::fprintf(stderr, "tern-relay: accept: %s\n", uv_strerror(status));
    return;
  }
  RelayConnection::accept(*relay, listener);
}

void Relay::subscribe(RelayConnection* subscriber, std::string_view subject, std::string_view sid) {
  subscriptions_.push_back({subscriber, std::string(subject), std::string(sid)});
}

void Relay::unsubscribe(RelayConnection* subscriber, std::string_view sid) noexcept {
  std::erase_if(subscriptions_, [&](const RelaySubscription& subscription) {
    return subscription.subscriber == subscriber && subscription.sid == sid;
  });
}

void Relay::forget(RelayConnection* subscriber) noexcept {
  std::erase_if(subscriptions_,
                [&](const RelaySubscription& subscription) { return subscription.subscriber == subscriber; });
}

const RelaySubscription* Relay::receiver(std::string_view subject) const noexcept {
  // subject_matches never reads outside its arguments, whatever they hold; the relay trusts its
  // clients to send valid subjects and does not check them.
  const auto found = std::find_if(
      subscriptions_.begin(), subscriptions_.end(),
      [&](const auto& subscription) { return protocol::subject_matches(subscription.subject, subject); });
  return found == subscriptions_.end() ? nullptr : &*found;
}

}  // namespace tern::bench::relay
