#include "server/monitor/monitor.h"

#include <chrono>

#include "server/monitor/accountz.h"
#include "server/monitor/connz.h"
#include "server/monitor/dashboard.h"
#include "server/monitor/healthz.h"
#include "server/monitor/inactive_features.h"
#include "server/monitor/jsz.h"
#include "server/monitor/metrics.h"
#include "server/monitor/query.h"
#include "server/monitor/response.h"
#include "server/monitor/root_page.h"
#include "server/monitor/subsz.h"
#include "server/monitor/varz.h"
#include "server/server.h"

namespace tern::server::monitor {

namespace {

HttpResponse to_http(EndpointResult result) {
  HttpResponse response;
  response.status = result.status;
  response.content_type = std::move(result.content_type);
  response.body = std::move(result.body);
  return response;
}

HttpResponse not_found() {
  // Go's http.NotFound.
  return {404, "text/plain; charset=utf-8", "404 page not found\n", {}};
}

// The raw query of a request target (after '?'), still percent-encoded.
std::string_view raw_query(const std::string& target) {
  const std::size_t mark = target.find('?');
  return mark == std::string::npos ? std::string_view() : std::string_view(target).substr(mark + 1);
}

}  // namespace

Monitor::Monitor(Server& server, uv_loop_t* loop, HttpLimits limits)
    : server_(server), http_(loop, limits, [this](const HttpRequest& request) { return handle(request); }) {}

std::string Monitor::start(const std::string& host, int port) {
  const int rc = http_.listen(host, port < 0 ? 0 : port);
  if (rc != 0) return std::string(uv_strerror(rc));
  return {};
}

HttpResponse Monitor::handle(const HttpRequest& request) {
  std::string_view path = request.path;
  const std::string& base = server_.options().http_base_path;
  if (!base.empty()) {
    // nats-server joins the base path and each endpoint's path; "/nats" serves "/nats/varz".
    std::string_view prefix = base;
    while (!prefix.empty() && prefix.back() == '/')
      prefix.remove_suffix(1);
    if (path.substr(0, prefix.size()) != prefix) return not_found();
    path.remove_prefix(prefix.size());
    if (path.empty()) path = "/";
  }
  const Query query(raw_query(request.target));
  const SystemTime now = std::chrono::system_clock::now();
  // /subscriptionsz is /subsz's other name, and counts as it.
  const std::string counted = path == "/subscriptionsz" ? "/subsz" : std::string(path);

  const auto count = [&] { ++request_counts_[counted]; };
  const auto server_info = [&] {
    ServerInfo info;
    server_.describe(info);
    info.http_req_stats = request_counts_;
    return info;
  };

  if (path == "/") {
    count();
    return to_http(serve_root_page(server_info()));
  }
  if (path == "/varz") {
    count();
    ServerInfo info = server_info();
    info.jetstream = server_.describe_jetstream(/*stream_details=*/false, /*configs=*/false);
    return to_http(json_result(write_varz(info, now), query));
  }
  if (path == "/connz") {
    // nats-server counts a /connz request only once its query parsed (/subsz and /healthz always).
    const ParsedConnz parsed = parse_connz(query);
    if (!parsed.ok()) return to_http(bad_request(parsed.error));
    count();
    const ConnzRequest& connz = parsed.request;
    std::vector<ConnectionInfo> open;
    if (connz.wants_open()) open = server_.open_connections(connz.wants_subscriptions());
    std::vector<ConnectionInfo> closed;
    if (connz.wants_closed())
      closed.assign(server_.closed_connections().begin(), server_.closed_connections().end());
    return to_http(
        json_result(write_connz(server_info(), std::move(open), std::move(closed), connz, now), query));
  }
  if (path == "/subsz" || path == "/subscriptionsz") {
    count();
    const ParsedSubsz parsed = parse_subsz(query);
    if (!parsed.ok()) return to_http(bad_request(parsed.error));
    std::vector<SubscriptionInfo> subscriptions;
    if (parsed.request.subs) {
      for (ConnectionInfo& c : server_.open_connections(true))
        for (SubscriptionInfo& s : c.subscriptions)
          subscriptions.push_back(std::move(s));
    }
    return to_http(json_result(
        write_subsz(server_info(), server_.describe_sublist(), subscriptions, parsed.request, now), query));
  }
  if (path == "/routez") {
    count();
    return to_http(serve_routez(server_info(), query, now));
  }
  if (path == "/gatewayz") {
    count();
    return to_http(serve_gatewayz(server_info(), query, now));
  }
  if (path == "/leafz") {
    count();
    return to_http(serve_leafz(server_info(), query, now));
  }
  if (path == "/jsz") {
    // nats-server counts /jsz before it reads the query.
    count();
    const ParsedJsz parsed = parse_jsz(query);
    if (!parsed.ok()) return to_http(bad_request(parsed.error));
    const bool details = jsz_wants_stream_details(parsed.request);
    const auto jetstream = server_.describe_jetstream(details, details && parsed.request.config);
    return to_http(write_jsz(server_info(), jetstream ? &*jetstream : nullptr, parsed.request, query, now));
  }
  if (path == "/accountz") {
    count();
    const ServerInfo info = server_info();
    AccountSummary global;
    global.name = "$G";
    global.update_time = info.start;
    global.client_connections = info.connections;
    global.subscriptions = info.subscriptions;
    global.sublist = server_.describe_sublist();
    global.jetstream_enabled = server_.jetstream() != nullptr;
    return to_http(serve_accountz(info, {global}, query, now));
  }
  if (path == "/healthz") {
    count();
    return to_http(serve_healthz(query));
  }
  if (path == "/metrics") {
    count();
    return {200,
            std::string(kMetricsContentType),
            write_metrics(server_info(), server_.describe_sublist(), server_.open_connections(false), now),
            {}};
  }
  if (path == "/dashboard") {
    count();
    return {200, "text/html; charset=utf-8", std::string(dashboard_html()), {}};
  }
  return not_found();
}

}  // namespace tern::server::monitor
