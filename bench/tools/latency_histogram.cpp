#include "bench/tools/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tern::bench {

namespace {
// Values below kSubBuckets get a bucket each; above, each power of two 2^e (e >= kSubBucketBits) adds
// kSubBuckets buckets of width 2^(e - kSubBucketBits).
constexpr std::size_t kBucketCount =
    (64 - LatencyHistogram::kSubBucketBits + 1) * LatencyHistogram::kSubBuckets;
}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

std::size_t LatencyHistogram::bucket_index(std::uint64_t value) noexcept {
  if (value < kSubBuckets) return static_cast<std::size_t>(value);
  const unsigned exponent = 63u - static_cast<unsigned>(std::countl_zero(value));
  const unsigned shift = exponent - kSubBucketBits;
  const std::uint64_t sub = (value >> shift) - kSubBuckets;
  return static_cast<std::size_t>((shift + 1) * kSubBuckets + sub);
}

std::uint64_t LatencyHistogram::bucket_upper(std::size_t index) noexcept {
  if (index < kSubBuckets) return index;
  const std::uint64_t shift = index / kSubBuckets - 1;
  const std::uint64_t sub = index % kSubBuckets;
  const std::uint64_t lower = (kSubBuckets + sub) << shift;
  return lower + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(std::uint64_t nanoseconds) noexcept {
  ++counts_[bucket_index(nanoseconds)];
  ++count_;
  min_ = std::min(min_, nanoseconds);
  max_ = std::max(max_, nanoseconds);
  const auto value = static_cast<long double>(nanoseconds);
  sum_ += value;
  sum_squares_ += value * value;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i)
    counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  sum_squares_ += other.sum_squares_;
}

double LatencyHistogram::mean() const noexcept {
  return count_ == 0 ? 0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

double LatencyHistogram::stddev() const noexcept {
  if (count_ == 0) return 0;
  const long double n = static_cast<long double>(count_);
  const long double mean_value = sum_ / n;
  const long double variance = sum_squares_ / n - mean_value * mean_value;
  return variance > 0 ? static_cast<double>(std::sqrt(variance)) : 0;
}

std::uint64_t LatencyHistogram::value_at_percentile(double percentile) const noexcept {
  if (count_ == 0) return 0;
  const double wanted = std::clamp(percentile, 0.0, 100.0) / 100.0 * static_cast<double>(count_);
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(wanted)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(bucket_upper(i), max_);
  }
  return max_;
}

}  // namespace tern::bench
