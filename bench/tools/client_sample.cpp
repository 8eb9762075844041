#include "bench/tools/client_sample.h"

#include <algorithm>
#include <cmath>

namespace tern::bench {

std::string client_id(char role, std::size_t index) {
  std::string id(1, role);
  id += std::to_string(index);
  return id;
}

double ClientSample::seconds() const noexcept {
  return std::chrono::duration<double>(end - start).count();
}

double ClientSample::msgs_per_second() const noexcept {
  const double s = seconds();
  return s > 0 ? static_cast<double>(msgs) / s : 0;
}

double ClientSample::bytes_per_second() const noexcept {
  const double s = seconds();
  return s > 0 ? static_cast<double>(bytes) / s : 0;
}

GroupStats summarize(const std::vector<ClientSample>& first, const std::vector<ClientSample>& second) {
  GroupStats stats;
  std::vector<double> rates;
  Clock::time_point start = Clock::time_point::max();
  Clock::time_point end = Clock::time_point::min();
  for (const auto* group : {&first, &second}) {
    for (const ClientSample& client : *group) {
      if (client.msgs == 0) continue;
      stats.msgs += client.msgs;
      stats.bytes += client.bytes;
      start = std::min(start, client.start);
      end = std::max(end, client.end);
      rates.push_back(client.msgs_per_second());
    }
  }
  if (rates.empty()) return stats;
  stats.seconds = std::chrono::duration<double>(end - start).count();
  if (stats.seconds > 0) {
    stats.msgs_per_second = static_cast<double>(stats.msgs) / stats.seconds;
    stats.bytes_per_second = static_cast<double>(stats.bytes) / stats.seconds;
  }
  const auto [min_it, max_it] = std::minmax_element(rates.begin(), rates.end());
  stats.min_rate = *min_it;
  stats.max_rate = *max_it;
  double sum = 0;
  for (double rate : rates)
    sum += rate;
  stats.avg_rate = sum / static_cast<double>(rates.size());
  double squares = 0;
  for (double rate : rates)
    squares += (rate - stats.avg_rate) * (rate - stats.avg_rate);
  stats.stddev_rate = std::sqrt(squares / static_cast<double>(rates.size()));
  return stats;
}

GroupStats summarize(const std::vector<ClientSample>& clients) {
  return summarize(clients, {});
}

}  // namespace tern::bench
