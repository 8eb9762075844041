// The percentile distribution of a latency histogram, as the rows a person reads or plots: the
// `.histogram` text file in HdrHistogram's familiar layout, and an SVG chart of the same curve.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/tools/latency_histogram.h"

namespace tern::bench {

struct PercentileRow {
  double percentile = 0;          // 0..100
  double microseconds = 0;        // The latency at that percentile.
  std::uint64_t total_count = 0;  // Values at or below it.
};

// Rows at percentiles that close in on 100 by halves (0, 10, ..., 50, 55, ..., 75, 77.5, ...), with
// `ticks_per_half` rows in each half, up to the last recorded value.
std::vector<PercentileRow> percentile_rows(const LatencyHistogram& histogram, int ticks_per_half);

// Writes the `.histogram` file: Value, Percentile, TotalCount and 1/(1-Percentile) columns in
// microseconds, then the mean, deviation, max and count. Throws std::runtime_error if it cannot write.
void write_percentile_file(const std::string& path, const LatencyHistogram& histogram);

// Writes an SVG chart: latency in microseconds against the percentile on a 1/(1-p) log axis, so the
// tail is as readable as the median. Throws std::runtime_error if it cannot write.
void write_percentile_plot(const std::string& path, const LatencyHistogram& histogram,
                           const std::string& title);

}  // namespace tern::bench
