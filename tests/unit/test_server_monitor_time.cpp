// The monitoring time texts: RFC3339Nano, nats-server's uptime and Go's Duration.String().
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>

#include "server/monitor/time_format.h"

using namespace std::chrono_literals;
using tern::server::monitor::format_go_duration;
using tern::server::monitor::format_rfc3339;
using tern::server::monitor::format_rfc3339_local;
using tern::server::monitor::format_rfc3339_utc;
using tern::server::monitor::format_rtt;
using tern::server::monitor::format_uptime;
using tern::server::monitor::SystemTime;

namespace {

// 2026-12-05T12:30:46Z.
constexpr std::chrono::seconds kBase{1796473846};

SystemTime at(std::chrono::nanoseconds since_base) {
  return SystemTime{std::chrono::duration_cast<SystemTime::duration>(kBase + since_base)};
}

}  // namespace

TEST_CASE("RFC3339Nano trims trailing zeros of the fraction", "[monitor][time]") {
  CHECK(format_rfc3339_utc(at(0ns)) == "2026-12-05T12:30:46Z");
  CHECK(format_rfc3339_utc(at(141248230ns)) == "2026-12-05T12:30:46.14124823Z");
  CHECK(format_rfc3339_utc(at(186416987ns)) == "2026-12-05T12:30:46.186416987Z");
  CHECK(format_rfc3339_utc(at(500ms)) == "2026-12-05T12:30:46.5Z");
  CHECK(format_rfc3339_utc(at(1ns)) == "2026-12-05T12:30:46.000000001Z");
  CHECK(format_rfc3339_utc(SystemTime{}) == "1970-01-01T00:00:00Z");
  CHECK(format_rfc3339_utc(SystemTime{} - 1s) == "1969-12-31T23:59:59Z");
  CHECK(format_rfc3339_utc(at(24h * 26 + 11h + 29min + 14s)) == "2027-01-01T00:00:00Z");
  CHECK(format_rfc3339_utc(SystemTime{std::chrono::seconds{951782400}}) == "2000-02-29T00:00:00Z");
}

TEST_CASE("RFC3339 offsets are +hh:mm or -hh:mm, zero is Z", "[monitor][time]") {
  CHECK(format_rfc3339(at(250ms), 3600s) == "2026-12-05T13:30:46.25+01:00");
  CHECK(format_rfc3339(at(0ns), -(5h + 30min)) == "2026-12-05T07:00:46-05:30");
  CHECK(format_rfc3339(at(0ns), 0s) == "2026-12-05T12:30:46Z");
  setenv("TZ", "UTC", 1);
  tzset();
  CHECK(format_rfc3339_local(at(7ms)) == "2026-12-05T12:30:46.007Z");
  setenv("TZ", "Asia/Kolkata", 1);
  tzset();
  CHECK(format_rfc3339_local(at(0ns)) == "2026-12-05T18:00:46+05:30");
  setenv("TZ", "UTC", 1);
  tzset();
}

TEST_CASE("uptime is myUptime: whole seconds, leading zero units dropped", "[monitor][time]") {
  CHECK(format_uptime(0ns) == "0s");
  CHECK(format_uptime(999ms) == "0s");
  CHECK(format_uptime(59s) == "59s");
  CHECK(format_uptime(60s) == "1m0s");
  CHECK(format_uptime(2h + 5s) == "2h0m5s");
  CHECK(format_uptime(26h) == "1d2h0m0s");
  CHECK(format_uptime(3 * 24h + 4h + 5min + 6s) == "3d4h5m6s");
  CHECK(format_uptime(367 * 24h + 3h + 4min + 5s) == "1y2d3h4m5s");
  CHECK(format_uptime(365 * 24h) == "1y0d0h0m0s");
  CHECK(format_uptime(-500ms) == "0s");
  CHECK(format_uptime(-75s) == "-75s");
}

TEST_CASE("Go durations: one unit under a second, h/m/s above", "[monitor][time]") {
  CHECK(format_go_duration(0ns) == "0s");
  CHECK(format_go_duration(1ns) == "1ns");
  CHECK(format_go_duration(850ns) == "850ns");
  CHECK(format_go_duration(1us) == "1\xC2\xB5s");
  CHECK(format_go_duration(512us) == "512\xC2\xB5s");
  CHECK(format_go_duration(1500ns) == "1.5\xC2\xB5s");
  CHECK(format_go_duration(1234567ns) == "1.234567ms");
  CHECK(format_go_duration(1200us) == "1.2ms");
  CHECK(format_go_duration(999999999ns) == "999.999999ms");
  CHECK(format_go_duration(1s) == "1s");
  CHECK(format_go_duration(62500ms) == "1m2.5s");
  CHECK(format_go_duration(26h) == "26h0m0s");
  CHECK(format_go_duration(1h + 1ns) == "1h0m0.000000001s");
  CHECK(format_go_duration(-1500ms) == "-1.5s");
  CHECK(format_go_duration(std::chrono::nanoseconds::min()) == "-2562047h47m16.854775808s");
}

TEST_CASE("rtt is truncated to microseconds strictly between 1µs and 1ms", "[monitor][time]") {
  CHECK(format_rtt(0ns) == "0s");
  CHECK(format_rtt(850ns) == "850ns");
  CHECK(format_rtt(1000ns) == "1\xC2\xB5s");
  CHECK(format_rtt(1999ns) == "1\xC2\xB5s");
  CHECK(format_rtt(512345ns) == "512\xC2\xB5s");
  CHECK(format_rtt(999999ns) == "999\xC2\xB5s");
  CHECK(format_rtt(1234567ns) == "1.234567ms");
  CHECK(format_rtt(1s + 5ns) == "1.000000005s");
}
