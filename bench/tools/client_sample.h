// What one simulated client did in a throughput run, and the statistics over a group of them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tern::bench {

using Clock = std::chrono::steady_clock;

struct ClientSample {
  std::string id;           // "P0", "S3": publisher or subscriber and its index, as in the CSV.
  std::uint64_t msgs = 0;   // Messages published or received.
  std::uint64_t bytes = 0;  // Their payload bytes.
  Clock::time_point start{};
  Clock::time_point end{};

  double seconds() const noexcept;
  double msgs_per_second() const noexcept;
  double bytes_per_second() const noexcept;
};

// "P0", "S3": a client's role letter and index.
std::string client_id(char role, std::size_t index);

// A group of clients seen as one: messages over the span from the earliest start to the latest end,
// and the spread of the per-client rates.
struct GroupStats {
  std::uint64_t msgs = 0;
  std::uint64_t bytes = 0;
  double seconds = 0;
  double msgs_per_second = 0;
  double bytes_per_second = 0;
  double min_rate = 0;
  double avg_rate = 0;
  double max_rate = 0;
  double stddev_rate = 0;
};

// Only clients that moved at least one message count; an empty group gives all zeros.
GroupStats summarize(const std::vector<ClientSample>& clients);
// Two groups as one (the `Pub/Sub` line): their messages over their combined span.
GroupStats summarize(const std::vector<ClientSample>& first, const std::vector<ClientSample>& second);

}  // namespace tern::bench
