#include "server/auth.h"

#include <crypt.h>

#include <cstring>
#include <memory>
#include <string>

namespace tern::server {
namespace {

// bcrypt through libxcrypt. crypt_rn writes into a caller-provided struct crypt_data (about 32 KiB), which
// is allocated per check: a check costs milliseconds of hashing anyway.
bool bcrypt_matches(std::string_view hash, std::string_view offered) noexcept {
  // crypt_rn reads C strings; a NUL inside either would silently shorten it.
  if (hash.find('\0') != std::string_view::npos || offered.find('\0') != std::string_view::npos) return false;
  try {
    const std::string setting(hash);
    const std::string phrase(offered);
    auto data = std::make_unique<crypt_data>();
    std::memset(data.get(), 0, sizeof(crypt_data));
    const char* result =
        crypt_rn(phrase.c_str(), setting.c_str(), data.get(), static_cast<int>(sizeof(crypt_data)));
    // On failure libxcrypt returns null or a string starting with '*', which never equals a hash.
    return result != nullptr && constant_time_equal(result, hash);
  } catch (...) {
    return false;
  }
}

}  // namespace

bool Authenticator::uses_bcrypt() const noexcept {
  if (is_bcrypt_hash(authorization_.token) || is_bcrypt_hash(authorization_.password)) return true;
  for (const auto& user : authorization_.users) {
    if (is_bcrypt_hash(user.password)) return true;
  }
  return false;
}

bool is_bcrypt_hash(std::string_view secret) noexcept {
  return secret.starts_with("$2a$") || secret.starts_with("$2b$") || secret.starts_with("$2y$");
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  // Walk the longer length so the time does not depend on where the first difference is.
  const std::size_t length = a.size() > b.size() ? a.size() : b.size();
  unsigned difference = a.size() == b.size() ? 0U : 1U;
  for (std::size_t i = 0; i < length; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    difference |= static_cast<unsigned>(x ^ y);
  }
  return difference == 0;
}

bool secret_matches(std::string_view configured, std::string_view offered) noexcept {
  if (is_bcrypt_hash(configured)) return bcrypt_matches(configured, offered);
  return constant_time_equal(configured, offered);
}

bool Authenticator::check(const ClientCredentials& credentials) const noexcept {
  const Authorization& auth = authorization_;
  if (!auth.users.empty()) {
    for (const User& user : auth.users) {
      if (user.user == credentials.user) return secret_matches(user.password, credentials.pass);
    }
    return false;
  }
  if (!auth.user.empty()) {
    // Check the password even when the user is wrong, so the answer takes as long either way.
    const bool user_ok = constant_time_equal(auth.user, credentials.user);
    const bool password_ok = secret_matches(auth.password, credentials.pass);
    return user_ok && password_ok;
  }
  if (!auth.token.empty()) return secret_matches(auth.token, credentials.auth_token);
  return true;
}

}  // namespace tern::server
