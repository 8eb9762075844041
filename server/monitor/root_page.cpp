#include "server/monitor/root_page.h"

#include <array>
#include <string>
#include <string_view>

namespace tern::server::monitor {

namespace {

struct Link {
  std::string_view path;
  std::string_view text;
};

// nats-server's order and texts, then ternd's own pages.
constexpr std::array<Link, 11> kLinks{{
    {"/varz", "General"},
    {"/jsz", "JetStream"},
    {"/connz", "Connections"},
    {"/accountz", "Accounts"},
    {"/subsz", "Subscriptions"},
    {"/routez", "Routes"},
    {"/leafz", "LeafNodes"},
    {"/gatewayz", "Gateways"},
    {"/healthz", "Health Probe"},
    {"/metrics", "Prometheus Metrics"},
    {"/dashboard", "Dashboard"},
}};

// path.Join(base, path) for the base paths a configuration holds: trailing slashes of the base go.
std::string join_base(std::string_view base, std::string_view path) {
  while (!base.empty() && base.back() == '/')
    base.remove_suffix(1);
  return std::string{base}.append(path);
}

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      case '&':
        out.append("&amp;");
        break;
      case '"':
        out.append("&#34;");
        break;
      default:
        out.push_back(c);
    }
  }
}

}  // namespace

EndpointResult serve_root_page(const ServerInfo& server) {
  std::string html = R"(<html lang="en">
  <head>
  <link rel="shortcut icon" href="https://nats.io/favicon.ico">
  <style type="text/css">
    body { font-family: ui-sans-serif,system-ui,-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif; font-size: 18; font-weight: light-bold; margin-left: 32px }
    a { display:block; margin-left: 7px; padding-bottom: 6px; color: rgb(72 72 92); text-decoration: none }
    a:hover { font-weight: 600; color: rgb(59 50 202) }
    a.help { display:inline; font-weight: 600; color: rgb(59 50 202); font-size: 20}
    a.last { padding-bottom: 16px }
  </style>
  </head>
  <body>
  <h1>ternd</h1>
  <p>v)";
  append_escaped(html, server.version);
  html.append("</p>\n  <br/>\n");
  for (std::size_t i = 0; i < kLinks.size(); ++i) {
    html.append("  <a href=\".");
    append_escaped(html, join_base(server.http_base_path, kLinks[i].path));
    html.append(i + 1 == kLinks.size() ? "\" class=last>" : "\">");
    html.append(kLinks[i].text).append("</a>\n");
  }
  html.append(
      "  <a href=https://docs.nats.io/running-a-nats-service/nats_admin/monitoring class=\"help\">Help</a>\n"
      "  </body>\n</html>");
  return {200, "text/html; charset=utf-8", std::move(html)};
}

}  // namespace tern::server::monitor
