// A log-bucketed latency histogram in the manner of HdrHistogram: every power of two is split into
// kSubBuckets equal buckets, so any recorded value is known to better than 1% (1/128) while the
// whole range of a 64-bit nanosecond count fits in a few thousand counters. Recording is one index
// computation and an increment, cheap enough to call per message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tern::bench {

class LatencyHistogram {
 public:
  static constexpr unsigned kSubBucketBits = 7;
  static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBucketBits;

  LatencyHistogram();

  void record(std::uint64_t nanoseconds) noexcept;
  void merge(const LatencyHistogram& other);

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const noexcept { return max_; }
  double mean() const noexcept;
  double stddev() const noexcept;

  // The smallest recorded value such that `percentile` percent of all values are at or below it,
  // reported as the upper end of its bucket (never above max()). 0 when empty.
  std::uint64_t value_at_percentile(double percentile) const noexcept;

  std::size_t bucket_count() const noexcept { return counts_.size(); }
  std::uint64_t bucket_total(std::size_t index) const noexcept { return counts_[index]; }
  // The largest value that lands in bucket `index`.
  static std::uint64_t bucket_upper(std::size_t index) noexcept;
  // The bucket a value lands in.
  static std::size_t bucket_index(std::uint64_t value) noexcept;

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  // Exact sums for the mean and standard deviation (long double keeps the squares of large values).
  long double sum_ = 0;
  long double sum_squares_ = 0;
};

}  // namespace tern::bench
