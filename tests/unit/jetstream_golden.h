// Reads the golden exchanges tests/data/jetstream/capture.py recorded from nats-server 2.9.10, and
// masks what differs from run to run (times), for the JetStream JSON layer's tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

namespace tern::test::jetstream {

struct Exchange {
  std::string subject;
  std::string headers;  // The request's header block, or empty.
  std::string body;
  std::string reply;  // Header block and payload of the reply; "(no reply)" when nats-server was silent.
};

inline std::string unescape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out.push_back(text[i]);
      continue;
    }
    const char next = text[++i];
    out.push_back(next == 'r' ? '\r' : next == 'n' ? '\n' : next == 't' ? '\t' : next);
  }
  return out;
}

struct NamedExchange {
  std::string name;
  Exchange exchange;
};

// The exchanges of tests/data/jetstream/<group>.txt, in the order they were recorded.
inline std::vector<NamedExchange> load_golden_in_order(const std::string& group) {
  const auto path =
      std::filesystem::path(__FILE__).parent_path().parent_path() / "data" / "jetstream" / (group + ".txt");
  std::ifstream in(path);
  std::vector<NamedExchange> exchanges;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("### ", 0) == 0) {
      exchanges.push_back({line.substr(4), {}});
    } else if (line.rfind("> ", 0) == 0 && !exchanges.empty()) {
      const auto space = line.find(' ', 2);
      const auto tab = line.find('\t');
      Exchange& exchange = exchanges.back().exchange;
      exchange.subject = line.substr(2, space - 2);
      exchange.headers = unescape(line.substr(space + 1, tab - space - 1));
      exchange.body = unescape(line.substr(tab + 1));
    } else if (line.rfind("< ", 0) == 0 && !exchanges.empty()) {
      exchanges.back().exchange.reply = unescape(line.substr(2));
    }
  }
  return exchanges;
}

// The same by name.
inline std::map<std::string, Exchange> load_golden(const std::string& group) {
  std::map<std::string, Exchange> by_name;
  for (auto& named : load_golden_in_order(group))
    by_name[named.name] = std::move(named.exchange);
  return by_name;
}

// Replaces every RFC 3339 UTC time with <TIME>, so that replies of two runs compare equal.
inline std::string mask_times(const std::string& text) {
  static const std::regex time(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)");
  return std::regex_replace(text, time, "<TIME>");
}

}  // namespace tern::test::jetstream
