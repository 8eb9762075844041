#include "protocol/subject.h"

namespace tern::protocol {
namespace {

// The bytes that separate protocol arguments. nats-server 2.9 never sees them inside a subject, since its
// argument splitter cuts there; it accepts every other byte, including '\f', '\v', NUL and non-UTF-8.
constexpr bool is_separator_byte(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

enum class WildcardPolicy { kReject, kAllow };

bool is_valid_subject(std::string_view subject, WildcardPolicy policy) noexcept {
  if (subject.empty()) return false;
  bool after_full_wildcard = false;
  std::size_t token_start = 0;
  for (std::size_t i = 0; i <= subject.size(); ++i) {
    if (i < subject.size() && subject[i] != '.') {
      if (is_separator_byte(subject[i])) return false;
      continue;
    }
    const std::string_view token = subject.substr(token_start, i - token_start);
    if (token.empty() || after_full_wildcard) return false;
    if (token == "*" || token == ">") {
      if (policy == WildcardPolicy::kReject) return false;
      after_full_wildcard = token == ">";
    }
    token_start = i + 1;
  }
  return true;
}

// Returns the token of `subject` that starts at `start` and moves `start` past it and its separator.
// Precondition: start <= subject.size().
std::string_view next_token(std::string_view subject, std::size_t& start) noexcept {
  const std::size_t dot = subject.find('.', start);
  const std::size_t end = dot == std::string_view::npos ? subject.size() : dot;
  const std::string_view token = subject.substr(start, end - start);
  start = dot == std::string_view::npos ? std::string_view::npos : dot + 1;
  return token;
}

}  // namespace

bool is_valid_literal_subject(std::string_view subject) noexcept {
  return is_valid_subject(subject, WildcardPolicy::kReject);
}

bool is_valid_subscription_subject(std::string_view subject) noexcept {
  return is_valid_subject(subject, WildcardPolicy::kAllow);
}

bool is_valid_queue_name(std::string_view queue) noexcept {
  if (queue.empty()) return false;
  for (char c : queue) {
    if (is_separator_byte(c)) return false;
  }
  return true;
}

bool has_wildcard(std::string_view subject) noexcept {
  std::size_t start = 0;
  while (start != std::string_view::npos) {
    const std::string_view token = next_token(subject, start);
    if (token == "*" || token == ">") return true;
  }
  return false;
}

bool subject_matches(std::string_view pattern, std::string_view subject) noexcept {
  std::size_t pattern_pos = 0;
  std::size_t subject_pos = 0;
  while (pattern_pos != std::string_view::npos) {
    const std::string_view pattern_token = next_token(pattern, pattern_pos);
    // '>' needs at least one remaining subject token, which a valid subject always has here.
    if (pattern_token == ">") return subject_pos != std::string_view::npos;
    if (subject_pos == std::string_view::npos) return false;
    const std::string_view subject_token = next_token(subject, subject_pos);
    if (pattern_token != "*" && pattern_token != subject_token) return false;
  }
  return subject_pos == std::string_view::npos;
}

void SubjectTokens::assign(std::string_view subject) {
  overflow_.clear();
  count_ = 0;
  std::size_t start = 0;
  while (start != std::string_view::npos) {
    const std::string_view token = next_token(subject, start);
    if (count_ < kInlineSubjectTokens) {
      inline_[count_] = token;
    } else {
      overflow_.push_back(token);
    }
    ++count_;
  }
}

}  // namespace tern::protocol
