#include "server/monitor/dashboard.h"

namespace tern::server::monitor {
namespace {

// Generated from dashboard.html by embed_dashboard.cmake (see server/CMakeLists.txt): a raw string literal.
// sizeof keeps the length exact without a strlen at run time; the literal's terminating NUL is not part
// of the page.
constexpr char kDashboardHtml[] =
#include "server/monitor/dashboard_html.inc"
    ;

}  // namespace

std::string_view dashboard_html() noexcept {
  return std::string_view(kDashboardHtml, sizeof(kDashboardHtml) - 1);
}

}  // namespace tern::server::monitor
