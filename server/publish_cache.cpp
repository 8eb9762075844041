#include "server/publish_cache.h"

namespace tern::server {

MatchRef PublishCache::refresh(Sublist& index, std::string_view subject) {
  // The index owns the subject check: one with an empty token reaches nothing.
  MatchRef found = index.match(subject);
  subject_.assign(subject);
  version_ = index.results_version();
  result_ = found.shared_;
  // With its cache on, the index keeps every result match() returns, but for the immortal empty one.
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
