#include "server/jetstream/subjects.h"

namespace tern::server::jetstream {

namespace {

// strings.Split(subject, "."): an empty subject is one empty token.
std::vector<std::string_view> split_tokens(std::string_view subject) {
  std::vector<std::string_view> tokens;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = subject.find('.', start);
    if (dot == std::string_view::npos) {
      tokens.push_back(subject.substr(start));
      return tokens;
    }
    tokens.push_back(subject.substr(start, dot - start));
    start = dot + 1;
  }
}

bool is_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

void analyze_tokens(const std::vector<std::string_view>& tokens, bool& partial, bool& full) {
  partial = full = false;
  for (const auto token : tokens) {
    if (token.size() != 1) continue;
    if (token[0] == '*') partial = true;
    if (token[0] == '>') full = true;
  }
}

bool tokens_can_match(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return false;
  if (a[0] == '*' || b[0] == '*' || a[0] == '>' || b[0] == '>') return true;
  return a == b;
}

// isSubsetMatchTokenized, kept as nats-server has it (a partial wildcard in `tokens` only matches one
// in `test`).
bool is_subset_match(const std::vector<std::string_view>& tokens, const std::vector<std::string_view>& test) {
  for (std::size_t i = 0; i < test.size(); ++i) {
    const auto t2 = test[i];
    if (i >= tokens.size()) return false;
    if (t2.empty()) return false;
    if (t2[0] == '>' && t2.size() == 1) return true;
    const auto t1 = tokens[i];
    if (t1.empty() || (t1[0] == '>' && t1.size() == 1)) return false;
    if (t1[0] == '*' && t1.size() == 1) {
      if (!(t2[0] == '*' && t2.size() == 1)) return false;
      continue;
    }
    if (t2[0] != '*' && t1 != t2) return false;
  }
  return tokens.size() == test.size();
}

}  // namespace

bool is_valid_subject(std::string_view subject) {
  if (subject.empty()) return false;
  bool full_wildcard_seen = false;
  for (const auto token : split_tokens(subject)) {
    if (token.empty() || full_wildcard_seen) return false;
    if (token.size() > 1) {
      for (const char c : token) {
        if (is_whitespace(c)) return false;
      }
      continue;
    }
    if (token[0] == '>') full_wildcard_seen = true;
    if (is_whitespace(token[0])) return false;
  }
  return true;
}

bool subjects_collide(std::string_view a, std::string_view b) {
  if (a == b) return true;
  const auto tokens_a = split_tokens(a);
  const auto tokens_b = split_tokens(b);
  bool partial_a = false, full_a = false, partial_b = false, full_b = false;
  analyze_tokens(tokens_a, partial_a, full_a);
  analyze_tokens(tokens_b, partial_b, full_b);
  const bool literal_a = !(partial_a || full_a);
  const bool literal_b = !(partial_b || full_b);
  if (literal_a && literal_b) return false;
  if (literal_a) return is_subset_match(tokens_a, tokens_b);
  if (literal_b) return is_subset_match(tokens_b, tokens_a);
  if (!full_a && !full_b && tokens_a.size() != tokens_b.size()) return false;
  if (tokens_a.size() < tokens_b.size() && !full_a) return false;
  if (tokens_b.size() < tokens_a.size() && !full_b) return false;
  const std::size_t stop = std::min(tokens_a.size(), tokens_b.size());
  for (std::size_t i = 0; i < stop; ++i) {
    if (!tokens_can_match(tokens_a[i], tokens_b[i])) return false;
  }
  return true;
}

bool subject_is_subset_match(std::string_view subject, std::string_view test) {
  return is_subset_match(split_tokens(subject), split_tokens(test));
}

bool subjects_overlap(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const auto& x : a) {
    for (const auto& y : b) {
      if (subjects_collide(x, y)) return true;
    }
  }
  return false;
}

bool subject_has_wildcard(std::string_view subject) {
  for (const auto token : split_tokens(subject)) {
    if (token == "*" || token == ">") return true;
  }
  return false;
}

}  // namespace tern::server::jetstream
