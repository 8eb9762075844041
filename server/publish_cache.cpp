#include "server/publish_cache.h"

namespace tern::server {

namespace {

// A subject with an empty token reaches nothing, and the index is never asked about it. Wildcard
// characters in a published subject (which only pedantic connections are told about) are plain tokens,
// matched like any other.
bool has_empty_token(std::string_view subject) noexcept {
  if (subject.empty() || subject.front() == '.' || subject.back() == '.') return true;
  return subject.find("..") != std::string_view::npos;
}

}  // namespace

MatchRef PublishCache::refresh(Sublist& index, std::string_view subject) {
  MatchRef found = has_empty_token(subject) ? MatchRef() : index.match(subject);
  subject_.assign(subject);
  version_ = index.results_version();
  result_ = found.shared_;
  // With its cache on, the index keeps every result match() returns (the empty one is immortal).
  owned_ = index.cache_enabled() ? MatchRef() : found;
  return found;
}

void PublishCache::clear() noexcept {
  subject_.clear();
  version_ = UINT64_MAX;
  result_ = &detail::empty_shared_result;
  owned_ = MatchRef();
}

}  // namespace tern::server
