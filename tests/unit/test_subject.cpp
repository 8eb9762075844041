// Subject rules as nats-server 2.9.10 applies them. Every row of the validity and match tables was
// checked against a real nats-server 2.9.10: validity with SUB (+OK or -ERR 'Invalid Subject') and with
// a pedantic PUB (+OK or -ERR 'Invalid Publish Subject'), matches by publishing and awaiting the MSG.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "protocol/subject.h"

using namespace std::string_view_literals;
using tern::protocol::has_wildcard;
using tern::protocol::is_valid_literal_subject;
using tern::protocol::is_valid_queue_name;
using tern::protocol::is_valid_subscription_subject;
using tern::protocol::subject_matches;
using tern::protocol::SubjectTokens;

namespace {

struct ValidityCase {
  std::string_view subject;
  bool literal;       // Accepted by a pedantic PUB.
  bool subscription;  // Accepted by SUB.
};

constexpr ValidityCase kValidityCases[] = {
    {"foo", true, true},
    {"foo.bar", true, true},
    {"foo.bar.baz", true, true},
    {"a.b.c.d.e.f.g.h", true, true},
    {"_INBOX.abc123.xyz", true, true},
    {"foo-bar_baz", true, true},
    {"FOO.Bar.baz", true, true},
    {"123.456", true, true},
    {"$SYS.REQ.SERVER.PING", true, true},
    {"foo/bar:baz", true, true},
    {"*", false, true},
    {">", false, true},
    {"foo.*", false, true},
    {"foo.>", false, true},
    {"*.bar", false, true},
    {"*.>", false, true},
    {"*.*", false, true},
    {"foo.*.bar", false, true},
    {"foo.*.>", false, true},
    {"*.*.*.>", false, true},
    {"foo.*x", true, true},
    {"foo.x*", true, true},
    {"foo.**", true, true},
    {"x>", true, true},
    {">x", true, true},
    {"foo.>>", true, true},
    {"foo.>x.bar", true, true},
    {"foo.>.bar", false, false},
    {">.bar", false, false},
    {">.>", false, false},
    {">.*", false, false},
    {"foo.>.*", false, false},
    {"", false, false},
    {".", false, false},
    {"..", false, false},
    {"foo..bar", false, false},
    {".foo", false, false},
    {"foo.", false, false},
    {"foo.bar.", false, false},
    {".*", false, false},
    {"*.", false, false},
    {".>", false, false},
    {"foo..>", false, false},
    {"foo bar", false, false},
    {"foo\tbar", false, false},
    {"foo\rbar", false, false},
    {"foo\nbar", false, false},
    {" foo", false, false},
    {"foo ", false, false},
    {"foo. .bar", false, false},
    {"\f", true, true},
    {"foo\fbar", true, true},
    {"foo\vbar", true, true},
    {"foo.\v", true, true},
    {"foo\0bar"sv, true, true},
    {"foo\x01"
     "bar",
     true, true},
    {"\x7f", true, true},
    {"f\xc3\xa9", true, true},
    {"f\xff\xfe", true, true},
    {"caf\xc3\xa9.*", false, true},
};

TEST_CASE("subject validity follows nats-server 2.9", "[subject]") {
  STATIC_REQUIRE(std::size(kValidityCases) >= 60);
  for (const ValidityCase& c : kValidityCases) {
    INFO("subject \"" << std::string(c.subject) << "\"");
    CHECK(is_valid_literal_subject(c.subject) == c.literal);
    CHECK(is_valid_subscription_subject(c.subject) == c.subscription);
  }
}

TEST_CASE("has_wildcard sees only whole-token wildcards", "[subject]") {
  CHECK(has_wildcard("*"));
  CHECK(has_wildcard(">"));
  CHECK(has_wildcard("foo.*.bar"));
  CHECK(has_wildcard("foo.>"));
  CHECK(has_wildcard("*.foo"));
  CHECK_FALSE(has_wildcard("foo"));
  CHECK_FALSE(has_wildcard("foo.*x"));
  CHECK_FALSE(has_wildcard("foo.x>"));
  CHECK_FALSE(has_wildcard("foo.**.bar"));
}

TEST_CASE("queue names", "[subject]") {
  CHECK(is_valid_queue_name("workers"));
  CHECK(is_valid_queue_name("a.b"));
  CHECK(is_valid_queue_name("*"));
  CHECK(is_valid_queue_name(">"));
  CHECK_FALSE(is_valid_queue_name(""));
  CHECK_FALSE(is_valid_queue_name("a b"));
  CHECK_FALSE(is_valid_queue_name("a\tb"));
  CHECK_FALSE(is_valid_queue_name("a\r\n"));
}

struct MatchCase {
  std::string_view pattern;
  std::string_view subject;
  bool matches;
};

constexpr MatchCase kMatchCases[] = {
    {"foo", "foo", true},
    {"foo", "bar", false},
    {"foo", "foo.bar", false},
    {"foo.bar", "foo", false},
    {"foo.bar", "foo.bar", true},
    {"foo.bar", "foo.baz", false},
    {"foo", "fo", false},
    {"foo", "fooo", false},
    {"*", "foo", true},
    {"*", "foo.bar", false},
    {">", "foo", true},
    {">", "foo.bar.baz", true},
    {"foo.*", "foo.bar", true},
    {"foo.*", "foo", false},
    {"foo.*", "foo.bar.baz", false},
    {"foo.>", "foo", false},
    {"foo.>", "foo.bar", true},
    {"foo.>", "foo.bar.baz", true},
    {"foo.>", "bar.foo", false},
    {"*.bar", "foo.bar", true},
    {"*.bar", "foo.baz", false},
    {"*.bar", "bar", false},
    {"*.*", "foo.bar", true},
    {"*.*", "foo", false},
    {"*.*", "foo.bar.baz", false},
    {"*.>", "foo", false},
    {"*.>", "foo.bar", true},
    {"*.>", "foo.bar.baz", true},
    {"foo.*.baz", "foo.bar.baz", true},
    {"foo.*.baz", "foo.bar.bar", false},
    {"foo.*.baz", "foo.baz", false},
    {"foo.*.>", "foo.bar", false},
    {"foo.*.>", "foo.bar.baz", true},
    {"foo.*.>", "foo.bar.baz.qux", true},
    {"*.*.*", "a.b.c", true},
    {"*.*.*", "a.b.c.d", false},
    {"foo.*x", "foo.*x", true},
    {"foo.*x", "foo.ax", false},
    {"foo.x>", "foo.x>", true},
    {"foo.x>", "foo.x.y", false},
    {"foo.**", "foo.ab", false},
    {"f\xc3\xa9.*", "f\xc3\xa9.bar", true},
    {"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.A.B.C.D.E.F.G.H.>",
     "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.A.B.C.D.E.F.G.H.I", true},
    {"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.A.B.C.D.E.F.G.*",
     "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.A.B.C.D.E.F.X.Y", false},
};

TEST_CASE("subject_matches follows nats-server 2.9", "[subject]") {
  for (const MatchCase& c : kMatchCases) {
    INFO("pattern \"" << std::string(c.pattern) << "\" subject \"" << std::string(c.subject) << "\"");
    CHECK(subject_matches(c.pattern, c.subject) == c.matches);
  }
}

TEST_CASE("a literal pattern matches exactly itself", "[subject]") {
  for (const ValidityCase& c : kValidityCases) {
    if (c.literal) CHECK(subject_matches(c.subject, c.subject));
  }
}

TEST_CASE("SubjectTokens splits on dots and keeps empty tokens", "[subject]") {
  SubjectTokens tokens("foo.bar.baz");
  REQUIRE(tokens.size() == 3);
  CHECK(tokens[0] == "foo");
  CHECK(tokens[1] == "bar");
  CHECK(tokens[2] == "baz");

  tokens.assign("a..b.");
  REQUIRE(tokens.size() == 4);
  CHECK(tokens[0] == "a");
  CHECK(tokens[1].empty());
  CHECK(tokens[2] == "b");
  CHECK(tokens[3].empty());

  tokens.assign("");
  REQUIRE(tokens.size() == 1);
  CHECK(tokens[0].empty());

  tokens.assign(">");
  REQUIRE(tokens.size() == 1);
  CHECK(tokens[0] == ">");
}

TEST_CASE("SubjectTokens spills past the inline tokens", "[subject]") {
  const auto token_name = [](std::size_t i) {
    std::string name = "t";
    name.append(std::to_string(i));
    return name;
  };
  std::string subject = token_name(0);
  for (std::size_t i = 1; i < 100; ++i)
    subject.append(".").append(token_name(i));
  SubjectTokens tokens(subject);
  REQUIRE(tokens.size() == 100);
  for (std::size_t i = 0; i < tokens.size(); ++i)
    CHECK(tokens[i] == token_name(i));

  tokens.assign("x.y");
  REQUIRE(tokens.size() == 2);
  CHECK(tokens[1] == "y");
  CHECK(is_valid_literal_subject(subject));
  CHECK(subject_matches(subject, subject));
  CHECK(subject_matches("t0.>", subject));
  CHECK_FALSE(subject_matches("t0.*", subject));
}

}  // namespace
