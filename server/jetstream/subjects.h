// Subject rules of nats-server 2.9.10 (sublist.go) that stream configuration needs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tern::server::jetstream {

// IsValidSubject: non-empty tokens without whitespace, ">" only as the last token.
bool is_valid_subject(std::string_view subject);

// SubjectsCollide: whether some literal subject could match both `a` and `b` (either may have wildcards).
bool subjects_collide(std::string_view a, std::string_view b);

// subjectIsSubsetMatch: whether every subject `subject` matches is also matched by `test`.
bool subject_is_subset_match(std::string_view subject, std::string_view test);

// Whether any subject of `a` collides with any of `b`: a new or updated stream whose subjects overlap
// another stream's is refused with 10065 (jsAccount.subjectsOverlap).
bool subjects_overlap(const std::vector<std::string>& a, const std::vector<std::string>& b);

// Whether a subject has a "*" or ">" token.
bool subject_has_wildcard(std::string_view subject);

}  // namespace tern::server::jetstream
