// The CSV report: one row per client, in the columns `nats bench --csv` uses, so existing
// spreadsheets and scripts read it unchanged.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

#include "bench/tools/run_report.h"

namespace tern::bench {

namespace {
// Rows of one run share an id, so that runs appended to the same file stay apart.
std::string new_run_id() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device seed;
  std::mt19937 random(seed());
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
  std::string id;
  for (int i = 0; i < 22; ++i)
    id.push_back(kAlphabet[pick(random)]);
  return id;
}
}  // namespace

void write_csv_report(const RunReport& report, const std::string& path) {
  std::error_code ignored;
  const bool needs_header =
      !std::filesystem::exists(path, ignored) || std::filesystem::file_size(path, ignored) == 0;
  std::ofstream out(path, std::ios::app);
  if (!out) throw std::runtime_error("cannot write " + path);
  if (needs_header) out << "#RunID,ClientID,MsgCount,MsgBytes,MsgsPerSec,BytesPerSec,DurationSecs\n";
  const std::string run_id = new_run_id();
  char line[256];
  for (const auto* group : {&report.publishers, &report.subscribers}) {
    for (const ClientSample& client : *group) {
      std::snprintf(line, sizeof line, "%s,%s,%llu,%llu,%.0f,%.2f,%f\n", run_id.c_str(), client.id.c_str(),
                    static_cast<unsigned long long>(client.msgs),
                    static_cast<unsigned long long>(client.bytes), client.msgs_per_second(),
                    client.bytes_per_second(), client.seconds());
      out << line;
    }
  }
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace tern::bench
