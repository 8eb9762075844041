// The live monitoring dashboard: one self-contained HTML page (inline CSS and JS, nothing fetched from
// elsewhere) that polls the JSON endpoints of the same monitoring port once a second and draws charts.
// Its source is server/monitor/dashboard.html, embedded at build time.
//
// Serve it for GET /dashboard as "text/html; charset=utf-8". The page fetches ./varz, ./connz,
// ./jsz and ./leafz relative to its own URL, so it works under an http_base_path as long as it is
// served at <base path>/dashboard, beside them.
#pragma once

#include <string_view>

namespace tern::server::monitor {

// The page's bytes, UTF-8, with static storage duration.
std::string_view dashboard_html() noexcept;

}  // namespace tern::server::monitor
