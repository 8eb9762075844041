// libFuzzer target: subject validation, tokenizing and matching, against a deliberately plain reference
// written from the rules in protocol/subject.h (split on '.', check each token, match token by token).
//
// Byte 0 picks how the two subjects under test are made: even, the rest is split at its first '|' into a
// pattern and a subject of any bytes; odd, both are assembled from a small token alphabet, so that valid
// subjects and matches are common.
#include <string>
#include <string_view>
#include <vector>

#include "protocol/subject.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using tern::fuzz::FuzzInput;
namespace protocol = tern::protocol;

std::vector<std::string_view> split_tokens(std::string_view subject) {
  std::vector<std::string_view> tokens;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = subject.find('.', start);
    if (dot == std::string_view::npos) {
      tokens.push_back(subject.substr(start));
      return tokens;
    }
    tokens.push_back(subject.substr(start, dot - start));
    start = dot + 1;
  }
}

bool is_separator(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool reference_valid(std::string_view subject, bool wildcards_allowed) {
  if (subject.empty()) return false;
  for (char c : subject) {
    if (is_separator(c)) return false;
  }
  const auto tokens = split_tokens(subject);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].empty()) return false;
    const bool wildcard = tokens[i] == "*" || tokens[i] == ">";
    if (wildcard && !wildcards_allowed) return false;
    if (tokens[i] == ">" && i + 1 != tokens.size()) return false;
  }
  return true;
}

bool reference_matches(std::string_view pattern, std::string_view subject) {
  const auto p = split_tokens(pattern);
  const auto s = split_tokens(subject);
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == ">") return s.size() > i;
    if (i >= s.size()) return false;
    if (p[i] != "*" && p[i] != s[i]) return false;
  }
  return p.size() == s.size();
}

std::string assemble(FuzzInput& input) {
  static constexpr std::string_view kTokens[] = {"a", "b", "ab", "*", ">", "", "*x", "\t"};
  const std::size_t count = 1 + input.byte() % 40;  // Past 32 tokens SubjectTokens spills to the heap.
  std::string subject;
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) subject.push_back('.');
    // Mostly plain tokens; the wildcards, the empty token and the tab only now and then.
    const std::uint8_t choice = input.byte();
    const std::size_t index = choice < 200 ? choice % 3 : 3 + choice % 5;
    subject.append(kTokens[index]);
  }
  return subject;
}

void check_subject(std::string_view subject) {
  const bool literal = protocol::is_valid_literal_subject(subject);
  const bool subscription = protocol::is_valid_subscription_subject(subject);
  FUZZ_CHECK(literal == reference_valid(subject, false));
  FUZZ_CHECK(subscription == reference_valid(subject, true));
  FUZZ_CHECK(!literal || subscription);
  if (subscription) {
    // A valid subscription subject without wildcards is a valid literal, and the other way round.
    FUZZ_CHECK(protocol::has_wildcard(subject) == !literal);
    // '>' matches every subject with at least one token, and a pattern matches itself when literal.
    FUZZ_CHECK(!literal || protocol::subject_matches(subject, subject));
    FUZZ_CHECK(!literal || protocol::subject_matches(">", subject));
  }
  FUZZ_CHECK(protocol::is_valid_queue_name(subject) ==
             (!subject.empty() && subject.find_first_of(" \t\r\n") == std::string_view::npos));

  const protocol::SubjectTokens tokens(subject);
  const auto reference = split_tokens(subject);
  FUZZ_CHECK(tokens.size() == reference.size());
  for (std::size_t i = 0; i < reference.size(); ++i)
    FUZZ_CHECK(tokens[i] == reference[i] && tokens[i].data() == reference[i].data());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput input(data, size);
  std::string pattern;
  std::string subject;
  if (input.byte() % 2 == 0) {
    const std::string_view rest = input.rest();
    const std::size_t bar = rest.find('|');
    pattern.assign(rest.substr(0, bar));
    if (bar != std::string_view::npos) subject.assign(rest.substr(bar + 1));
  } else {
    pattern = assemble(input);
    subject = assemble(input);
  }
  check_subject(pattern);
  check_subject(subject);
  if (protocol::is_valid_subscription_subject(pattern) && protocol::is_valid_literal_subject(subject)) {
    const bool matches = protocol::subject_matches(pattern, subject);
    FUZZ_CHECK(matches == reference_matches(pattern, subject));
    // A pattern without wildcards matches exactly itself.
    if (matches && !protocol::has_wildcard(pattern)) FUZZ_CHECK(pattern == subject);
  }
  return 0;
}
