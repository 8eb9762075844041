// A publisher's one-entry match cache, in front of the index's shared cache (nats-server's per-client
// L1 cache): a publisher repeating a subject skips the shared cache's hashing entirely.
//
// It holds no reference of its own to a result the shared cache holds, so that the shared cache can
// still edit that result in place when subscriptions come and go (a counted copy here would make every
// subject some publisher sent last immutable, and each change would rebuild its result). Its entry is
// current exactly while Sublist::results_version() has not moved since the lookup.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "server/sublist.h"

namespace tern::server {

class PublishCache {
 public:
  // The subscriptions `subject` reaches now, as a reference the caller holds while it delivers: a
  // delivery may end subscriptions, which edits the index, and the result must not change under it.
  // Any subject bytes are accepted; one with an empty token reaches nothing.
  MatchRef lookup(Sublist& index, std::string_view subject) {
    if (version_ == index.results_version() && same_bytes(subject_, subject)) {
      detail::retain(result_);
      return MatchRef(result_);
    }
    return refresh(index, subject);
  }

  // Forgets the entry (and any result it owns).
  void clear() noexcept;

 private:
  MatchRef refresh(Sublist& index, std::string_view subject);

  // Equality of two short byte strings, eight bytes at a time and inline: this check runs once per
  // message, and a call to libc's memcmp cost a tenth of a small PUB's whole handling.
  static bool same_bytes(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    const char* x = a.data();
    const char* y = b.data();
    std::size_t n = a.size();
    while (n >= 8) {
      std::uint64_t u, v;
      std::memcpy(&u, x, 8);
      std::memcpy(&v, y, 8);
      if (u != v) return false;
      x += 8, y += 8, n -= 8;
    }
    while (n > 0) {
      if (*x++ != *y++) return false;
      --n;
    }
    return true;
  }

  std::string subject_;
  // UINT64_MAX never matches: the version starts at 0 and only counts up.
  std::uint64_t version_ = UINT64_MAX;
  detail::SharedMatchResult* result_ = &detail::empty_shared_result;
  // A reference of our own only when the index keeps none (its cache is disabled, or the subject is one
  // it does not cache).
  MatchRef owned_;
};

}  // namespace tern::server
