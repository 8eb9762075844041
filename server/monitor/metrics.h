// /metrics: the server's figures in Prometheus text format 0.0.4, every family with HELP and TYPE, one
// "tern_" prefix, counters (and only counters) named "_total". The same figures as /varz, plus what a
// Prometheus user expects that /varz lacks: a histogram of published message sizes, the pending bytes
// of the connections, and ternd's backpressure and index figures.
#pragma once

#include <string>
#include <vector>

#include "server/monitor/snapshot.h"

namespace tern::server::monitor {

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string write_metrics(const ServerInfo& server, const SublistInfo& sublist,
                          const std::vector<ConnectionInfo>& open, SystemTime now);

}  // namespace tern::server::monitor
