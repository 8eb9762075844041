// Credential checks for CONNECT, as nats-server 2.9 does them without accounts or nkeys:
//   - a users list: the client's user must be in it and its pass must match that user's password;
//   - else a single user: user and pass must both match (an empty configured password needs an empty pass);
//   - else a token: auth_token must match;
//   - else nothing is required.
// A configured password or token that starts with "$2a$", "$2b$" or "$2y$" is a bcrypt hash and the
// client's secret is checked with libcrypt; any other is compared in constant time.
#pragma once

#include <string_view>

#include "server/options.h"

namespace tern::server {

// What a client sent in CONNECT.
struct ClientCredentials {
  std::string_view auth_token;
  std::string_view user;
  std::string_view pass;
};

class Authenticator {
 public:
  // Keeps a copy of `authorization`. Precondition: validate_options accepted it (at most one of token,
  // user and users is set).
  explicit Authenticator(Authorization authorization) : authorization_(std::move(authorization)) {}

  // Whether clients must authenticate (INFO's auth_required).
  bool required() const { return authorization_.required(); }

  // True when `credentials` satisfy the configuration. A bcrypt check takes as long as the hash's cost
  // says (about 50 ms at cost 10), so a server on an event loop may want to run it elsewhere.
  bool check(const ClientCredentials& credentials) const noexcept;

  const Authorization& authorization() const { return authorization_; }

  // True when some configured secret is a bcrypt hash, so that a check may take tens of milliseconds.
  bool uses_bcrypt() const noexcept;

 private:
  Authorization authorization_;
};

// True when `secret` has the form of a bcrypt hash nats-server accepts.
bool is_bcrypt_hash(std::string_view secret) noexcept;

// Compares a configured secret (plain or bcrypt) with what a client sent.
bool secret_matches(std::string_view configured, std::string_view offered) noexcept;

// Compares two byte strings in time that depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace tern::server
