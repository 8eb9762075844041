// The embedded dashboard page: what ternd serves at /dashboard is the whole source file, and the page
// asks nothing of the internet. What it does in a browser is tests/browser/test_dashboard.cpp's job.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "server/monitor/dashboard.h"

namespace tern::server::monitor {
namespace {

bool contains(std::string_view text, std::string_view what) {
  return text.find(what) != std::string_view::npos;
}

TEST_CASE("the dashboard page is embedded whole", "[monitor][dashboard]") {
  const std::string_view page = dashboard_html();
  REQUIRE(page.size() > 10000);
  CHECK(page.substr(0, 15) == "<!DOCTYPE html>");
  // The literal's own terminating NUL is not part of the page, and nothing was cut off.
  CHECK(page.find('\0') == std::string_view::npos);
  CHECK(page.substr(page.size() - 8) == "</html>\n");
  CHECK(contains(page, "window.ternDashboardState"));
}

TEST_CASE("the dashboard page loads nothing from elsewhere", "[monitor][dashboard]") {
  const std::string_view page = dashboard_html();
  // No scripts, styles, fonts or images by URL: the page must work with no internet, and behind an
  // http_base_path its own fetches are relative ("./varz").
  for (const std::string_view forbidden :
       {"<script src", "http://", "https://", "@import", "url(", "<img", "@font-face", "fetch(\"/"}) {
    INFO(forbidden);
    CHECK_FALSE(contains(page, forbidden));
  }
  CHECK(contains(page, "\"./varz\""));
}

}  // namespace
}  // namespace tern::server::monitor
