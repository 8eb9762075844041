// Credential checks. The bcrypt hash below was made with Python's crypt module (cost 4, password
// "secret"); nats-server 2.9.10 accepts it in `authorization { user: a, password: "<hash>" }`.
#include <catch2/catch.hpp>

#include <crypt.h>

#include "server/auth.h"

using namespace tern::server;

namespace {

constexpr const char* kSecretHash = "$2b$04$QqaXPJWi6oXvrx7JSY255uGB34xJ.G/.41RWdajHwNBqYiMKdSHYW";

// A fresh bcrypt hash of `password` with the given prefix ("$2a$", "$2b$" or "$2y$").
std::string make_bcrypt(const char* prefix, const char* password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  REQUIRE(crypt_gensalt_rn(prefix, 4, nullptr, 0, salt, sizeof salt) != nullptr);
  crypt_data data{};
  const char* hash = crypt_rn(password, salt, &data, sizeof data);
  REQUIRE(hash != nullptr);
  return hash;
}

Authenticator with_user(std::string user, std::string password) {
  Authorization auth;
  auth.user = std::move(user);
  auth.password = std::move(password);
  return Authenticator(auth);
}

}  // namespace

TEST_CASE("constant-time comparison is plain equality") {
  CHECK(constant_time_equal("", ""));
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "ab"));
  CHECK_FALSE(constant_time_equal("", "a"));
  CHECK_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

TEST_CASE("no authorization lets everyone in") {
  const Authenticator open{Authorization{}};
  CHECK_FALSE(open.required());
  CHECK(open.check({}));
  CHECK(open.check({"token", "user", "pass"}));
}

TEST_CASE("single user and password") {
  const Authenticator auth = with_user("a", "b");
  CHECK(auth.required());
  CHECK(auth.check({"", "a", "b"}));
  CHECK_FALSE(auth.check({"", "a", "c"}));
  CHECK_FALSE(auth.check({"", "x", "b"}));
  CHECK_FALSE(auth.check({"", "", ""}));
  CHECK_FALSE(auth.check({"b", "", ""}));

  // nats-server accepts a user without a password; the client then sends no password.
  const Authenticator no_password = with_user("a", "");
  CHECK(no_password.check({"", "a", ""}));
  CHECK_FALSE(no_password.check({"", "a", "x"}));
}

TEST_CASE("token") {
  Authorization config;
  config.token = "s3cret";
  const Authenticator auth(config);
  CHECK(auth.required());
  CHECK(auth.check({"s3cret", "", ""}));
  CHECK(auth.check({"s3cret", "ignored", "ignored"}));
  CHECK_FALSE(auth.check({"s3cret2", "", ""}));
  CHECK_FALSE(auth.check({"", "", ""}));
}

TEST_CASE("users list") {
  Authorization config;
  config.users = {{"alice", "one"}, {"bob", kSecretHash}, {"carol", ""}};
  const Authenticator auth(config);
  CHECK(auth.required());
  CHECK(auth.check({"", "alice", "one"}));
  CHECK_FALSE(auth.check({"", "alice", "two"}));
  CHECK(auth.check({"", "bob", "secret"}));
  CHECK_FALSE(auth.check({"", "bob", "one"}));
  CHECK(auth.check({"", "carol", ""}));
  CHECK_FALSE(auth.check({"", "dave", "one"}));
  CHECK_FALSE(auth.check({"", "", ""}));
}

TEST_CASE("bcrypt hashes in every prefix nats-server accepts") {
  CHECK(is_bcrypt_hash(kSecretHash));
  CHECK_FALSE(is_bcrypt_hash("$1$abc"));
  CHECK_FALSE(is_bcrypt_hash("plain"));
  CHECK(secret_matches(kSecretHash, "secret"));
  CHECK_FALSE(secret_matches(kSecretHash, "Secret"));
  CHECK_FALSE(secret_matches(kSecretHash, ""));
  CHECK_FALSE(secret_matches(kSecretHash, std::string_view("secret\0x", 8)));
  for (const char* prefix : {"$2a$", "$2b$", "$2y$"}) {
    CAPTURE(prefix);
    const std::string hash = make_bcrypt(prefix, "pa55");
    CHECK(hash.rfind(prefix, 0) == 0);
    CHECK(secret_matches(hash, "pa55"));
    CHECK_FALSE(secret_matches(hash, "pa56"));
    CHECK(with_user("u", hash).check({"", "u", "pa55"}));
  }
  Authorization token;
  token.token = kSecretHash;
  CHECK(Authenticator(token).check({"secret", "", ""}));
}

TEST_CASE("a damaged hash never matches") {
  CHECK_FALSE(secret_matches("$2b$04$short", "secret"));
  CHECK_FALSE(secret_matches("$2b$04$short", "$2b$04$short"));
}
