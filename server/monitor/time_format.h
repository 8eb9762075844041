// The time and duration texts of nats-server's monitoring JSON.
#pragma once

#include <chrono>
#include <string>

#include "server/monitor/snapshot.h"

namespace tern::server::monitor {

// Go's time.RFC3339Nano for `t` seen at `utc_offset` east of UTC: "2026-12-05T12:30:46.14124823Z".
// The fraction has up to nine digits with trailing zeros trimmed (none at all on a whole second);
// a zero offset is written "Z", any other as "+hh:mm" or "-hh:mm".
std::string format_rfc3339(SystemTime t, std::chrono::seconds utc_offset);

// `t` in UTC, as nats-server writes `now`.
std::string format_rfc3339_utc(SystemTime t);

// `t` in this machine's local offset at that instant, as nats-server writes times it took with
// time.Now() (start, last_activity, stop): Go keeps the local zone in them.
std::string format_rfc3339_local(SystemTime t);

// nats-server's myUptime: whole seconds (truncated toward zero) as [Ny][Nd][Nh][Nm]Ns, the leading
// zero units left out, a year being 365 days: "0s", "1m0s", "2h0m5s", "3d4h5m6s", "1y2d3h4m5s".
std::string format_uptime(std::chrono::nanoseconds d);

// Go's time.Duration.String(): "0s", "850ns", "512µs" (U+00B5), "1.234567ms", "1m2.5s", "26h0m0s".
std::string format_go_duration(std::chrono::nanoseconds d);

// A connection's `rtt` as nats-server writes it: Go's Duration.String() of the round trip, truncated
// to whole microseconds when it lies strictly between 1µs and 1ms (client.getRTT).
std::string format_rtt(std::chrono::nanoseconds rtt);

}  // namespace tern::server::monitor
