// Subject validation, tokenizing and matching. Pure functions over string_views; nothing allocates
// unless a subject has more than kInlineSubjectTokens tokens.
//
// Rules (nats-server 2.9): tokens are separated by '.', none may be empty, no whitespace anywhere.
// "Whitespace" here means the protocol's argument separators (space, tab, CR, LF): nats-server 2.9 splits
// arguments there and accepts every other byte in a subject, including '\f', '\v', NUL, other control
// bytes and bytes that are not UTF-8, so these are valid here too.
// In a subscription subject, '*' matches exactly one token and '>' one or more tokens; each counts as a
// wildcard only when it is a whole token, and '>' only as the last token. "foo.*x" is a literal.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "protocol/limits.h"

namespace tern::protocol {

// True when `subject` is a valid publish subject: non-empty, no empty tokens, no whitespace, and no
// wildcard token ('*' or '>' as a whole token).
bool is_valid_literal_subject(std::string_view subject) noexcept;

// True when `subject` is a valid subscription subject: like a literal, but '*' tokens are allowed
// anywhere and a '>' token only as the last token.
bool is_valid_subscription_subject(std::string_view subject) noexcept;

// True when `queue` is a valid queue group name: non-empty, no whitespace.
bool is_valid_queue_name(std::string_view queue) noexcept;

// True when `subject` contains a '*' or '>' wildcard token. Precondition: subject is a valid
// subscription subject.
bool has_wildcard(std::string_view subject) noexcept;

// True when the literal `subject` is matched by `pattern`. Preconditions: `subject` is a valid literal
// subject and `pattern` a valid subscription subject.
bool subject_matches(std::string_view pattern, std::string_view subject) noexcept;

// The tokens of a subject as views into it. Holds kInlineSubjectTokens views inline and spills to the
// heap only for longer subjects. Empty tokens are kept (a caller validating a subject sees them).
class SubjectTokens {
 public:
  SubjectTokens() = default;
  explicit SubjectTokens(std::string_view subject) { assign(subject); }

  void assign(std::string_view subject);
  std::size_t size() const noexcept { return count_; }
  std::string_view operator[](std::size_t i) const noexcept {
    return i < kInlineSubjectTokens ? inline_[i] : overflow_[i - kInlineSubjectTokens];
  }

 private:
  std::string_view inline_[kInlineSubjectTokens];
  std::vector<std::string_view> overflow_;
  std::size_t count_ = 0;
};

}  // namespace tern::protocol
