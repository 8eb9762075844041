#include "bench/tools/run_report.h"

namespace tern::bench {

namespace {
std::uint64_t total_msgs(const std::vector<ClientSample>& clients) {
  std::uint64_t total = 0;
  for (const ClientSample& client : clients)
    total += client.msgs;
  return total;
}
}  // namespace

std::uint64_t RunReport::messages_for_server_cost() const {
  if (options.mode == Mode::kReqRep) return total_msgs(publishers);
  if (latency) return latency->histogram.count();
  if (!subscribers.empty()) return total_msgs(subscribers);
  return total_msgs(publishers);
}

const char* RunReport::server_cost_unit() const {
  if (options.mode == Mode::kReqRep) return "request";
  if (options.mode == Mode::kJsPub) return "acknowledged message";
  if (options.mode == Mode::kJsQueue) return "task";
  if (latency || !subscribers.empty()) return "delivered message";
  return "published message";
}

}  // namespace tern::bench
