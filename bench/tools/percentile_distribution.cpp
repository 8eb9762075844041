#include "bench/tools/percentile_distribution.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace tern::bench {

namespace {

constexpr double kNanosPerMicro = 1000.0;

// Percentile values are bucket upper ends (or the max, inside the last bucket), so counting whole
// buckets up to the value's own is exact.
std::uint64_t count_at_or_below(const LatencyHistogram& histogram, std::uint64_t value) {
  std::uint64_t total = 0;
  const std::size_t last = LatencyHistogram::bucket_index(value);
  for (std::size_t i = 0; i <= last; ++i)
    total += histogram.bucket_total(i);
  return total;
}

std::ofstream open_for_writing(const std::string& path) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  return out;
}

std::string format(const char* pattern, double a, double b) {
  char text[128];
  std::snprintf(text, sizeof text, pattern, a, b);
  return text;
}

}  // namespace

std::vector<PercentileRow> percentile_rows(const LatencyHistogram& histogram, int ticks_per_half) {
  std::vector<PercentileRow> rows;
  if (histogram.count() == 0) return rows;
  const auto row_at = [&](double percentile) {
    const std::uint64_t value = histogram.value_at_percentile(percentile);
    return PercentileRow{percentile, static_cast<double>(value) / kNanosPerMicro,
                         count_at_or_below(histogram, value)};
  };
  // Each half of the remaining distance to 100% gets the same number of rows; stop once a row would
  // stand for less than one recorded value.
  for (int half = 0; half < 40; ++half) {
    const double half_start = 100.0 - 100.0 / std::pow(2.0, half);
    const double half_width = 100.0 / std::pow(2.0, half + 1);
    if (100.0 / (100.0 - half_start) > static_cast<double>(histogram.count())) break;
    for (int tick = 0; tick < ticks_per_half; ++tick)
      rows.push_back(row_at(half_start + half_width * tick / ticks_per_half));
  }
  rows.push_back(
      PercentileRow{100.0, static_cast<double>(histogram.max()) / kNanosPerMicro, histogram.count()});
  return rows;
}

void write_percentile_file(const std::string& path, const LatencyHistogram& histogram) {
  std::ofstream out = open_for_writing(path);
  char line[160];
  out << "       Value     Percentile TotalCount 1/(1-Percentile)\n\n";
  for (const PercentileRow& row : percentile_rows(histogram, 5)) {
    const double fraction = row.percentile / 100.0;
    if (fraction < 1.0) {
      std::snprintf(line, sizeof line, "%12.3f %14.12f %10llu %14.2f\n", row.microseconds, fraction,
                    static_cast<unsigned long long>(row.total_count), 1.0 / (1.0 - fraction));
    } else {
      std::snprintf(line, sizeof line, "%12.3f %14.12f %10llu\n", row.microseconds, fraction,
                    static_cast<unsigned long long>(row.total_count));
    }
    out << line;
  }
  out << format("#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", histogram.mean() / kNanosPerMicro,
                histogram.stddev() / kNanosPerMicro);
  out << format("#[Max     = %12.3f, Total count    = %12.0f]\n",
                static_cast<double>(histogram.max()) / kNanosPerMicro,
                static_cast<double>(histogram.count()));
  out << format("#[Buckets = %12.0f, SubBuckets     = %12.0f]\n",
                static_cast<double>(histogram.bucket_count() / LatencyHistogram::kSubBuckets),
                static_cast<double>(LatencyHistogram::kSubBuckets));
  if (!out) throw std::runtime_error("cannot write " + path);
}

void write_percentile_plot(const std::string& path, const LatencyHistogram& histogram,
                           const std::string& title) {
  constexpr double kWidth = 800, kHeight = 480, kLeft = 70, kRight = 20, kTop = 40, kBottom = 60;
  constexpr double kPlotWidth = kWidth - kLeft - kRight, kPlotHeight = kHeight - kTop - kBottom;
  const std::vector<PercentileRow> rows = percentile_rows(histogram, 20);
  // The x axis is log10(1/(1-p)): 0 at 0%, 1 at 90%, 2 at 99%, and so on; the 100% row is left out
  // because it lies at infinity (the max is in the title instead).
  double x_max = 1;
  double y_max = 1;
  for (const PercentileRow& row : rows) {
    if (row.percentile >= 100.0) continue;
    x_max = std::max(x_max, std::ceil(std::log10(100.0 / (100.0 - row.percentile))));
    y_max = std::max(y_max, row.microseconds);
  }
  y_max *= 1.1;
  const auto x_of = [&](double percentile) {
    return kLeft + kPlotWidth * std::log10(100.0 / (100.0 - percentile)) / x_max;
  };
  const auto y_of = [&](double micros) { return kTop + kPlotHeight * (1.0 - micros / y_max); };

  std::ofstream out = open_for_writing(path);
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << kHeight
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  out << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  out << "<text x=\"" << kWidth / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" << title
      << "</text>\n";
  // Horizontal grid lines at round latencies.
  const double step = std::pow(10.0, std::floor(std::log10(y_max / 5)));
  const double grid = y_max / step > 25 ? step * 5 : (y_max / step > 10 ? step * 2 : step);
  for (double y = 0; y <= y_max; y += grid) {
    out << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft + kPlotWidth << "\" y1=\"" << y_of(y) << "\" y2=\""
        << y_of(y) << "\" stroke=\"#ddd\"/>\n";
    out << "<text x=\"" << kLeft - 6 << "\" y=\"" << y_of(y) + 4 << "\" text-anchor=\"end\">" << y
        << "</text>\n";
  }
  // Vertical grid lines at 0%, 90%, 99%, 99.9%, ...
  const char* labels[] = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%", "99.99999%"};
  for (int decade = 0; decade <= static_cast<int>(x_max) && decade < 8; ++decade) {
    const double x = kLeft + kPlotWidth * decade / x_max;
    out << "<line x1=\"" << x << "\" x2=\"" << x << "\" y1=\"" << kTop << "\" y2=\"" << kTop + kPlotHeight
        << "\" stroke=\"#ddd\"/>\n";
    out << "<text x=\"" << x << "\" y=\"" << kTop + kPlotHeight + 18 << "\" text-anchor=\"middle\">"
        << labels[decade] << "</text>\n";
  }
  out << "<text x=\"" << kLeft + kPlotWidth / 2 << "\" y=\"" << kHeight - 15
      << "\" text-anchor=\"middle\">percentile</text>\n";
  out << "<text transform=\"translate(18," << kTop + kPlotHeight / 2
      << ") rotate(-90)\" text-anchor=\"middle\">latency (us)</text>\n";
  out << "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"";
  for (const PercentileRow& row : rows) {
    if (row.percentile < 100.0) out << x_of(row.percentile) << ',' << y_of(row.microseconds) << ' ';
  }
  out << "\"/>\n</svg>\n";
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace tern::bench
