// The router on its own: which subscriptions a message reaches, through a fake Subscriber that records
// what it is given, and the sizes a RoutedMessage carries into MSG/HMSG lines.
#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/parser.h"
#include "server/fast_random.h"
#include "server/publish_cache.h"
#include "server/routed_message.h"
#include "server/router.h"
#include "server/sublist.h"
#include "server/subscriber.h"
#include "server/subscription.h"

using tern::server::Delivery;
using tern::server::FastRandom;
using tern::server::OwnedSizes;
using tern::server::Publisher;
using tern::server::route;
using tern::server::RoutedMessage;
using tern::server::RouteResult;
using tern::server::Sublist;
using tern::server::Subscriber;
using tern::server::Subscription;

namespace {

// One delivery as a fake subscriber saw it, in the order the router made them.
struct Received {
  std::uint64_t subscriber;
  std::string sid;
  std::string subject;
  std::string reply;
  std::string payload;
  std::size_t header_size;
};

class FakeSubscriber final : public Subscriber {
 public:
  // `log` collects the deliveries of every fake of a test, in order.
  FakeSubscriber(std::uint64_t id, Sublist& index, std::vector<Received>& log) noexcept
      : Subscriber(id), index_(index), log_(log) {}
  ~FakeSubscriber() override = default;

  Subscription& subscribe(std::string subject, std::string queue = {}, std::uint64_t max_msgs = 0) {
    Subscription& sub = subs_.emplace_back();
    sub.subscriber = this;
    sub.subject = std::move(subject);
    sub.queue = std::move(queue);
    sub.sid = std::to_string(id()) + "." + std::to_string(subs_.size());
    sub.max_msgs = max_msgs;
    index_.insert(&sub);
    return sub;
  }

  Delivery deliver(const Subscription& sub, const RoutedMessage& msg) noexcept override {
    if (refuse) return Delivery::kRefused;
    log_.push_back({id(), sub.sid, std::string(msg.subject), std::string(msg.reply), std::string(msg.payload),
                    msg.header_size});
    ++received;
    return congested ? Delivery::kDeliveredCongested : Delivery::kDelivered;
  }

  // As a real subscriber does: out of the index at once, still allocated (subs_ is a deque).
  void end_subscription(Subscription& sub) noexcept override {
    ended.push_back(sub.sid);
    index_.remove(&sub);
  }

  bool refuse = false;
  bool congested = false;
  int received = 0;
  std::vector<std::string> ended;

 private:
  Sublist& index_;
  std::vector<Received>& log_;
  std::deque<Subscription> subs_;
};

RoutedMessage plain_message(std::string_view subject, std::string_view payload = "hello") {
  return RoutedMessage{subject, {}, payload, 0, {}, "5", "5", false, {}};
}

// Deliveries in `log` to subscriber `id`.
int count_for(const std::vector<Received>& log, std::uint64_t id) {
  int n = 0;
  for (const Received& r : log)
    n += r.subscriber == id ? 1 : 0;
  return n;
}

// The first parsed op of `bytes`, which must be one complete op. The op's views point into `bytes`.
tern::protocol::Op parse_one(tern::protocol::Parser& parser, std::string_view bytes) {
  parser.feed(bytes);
  tern::protocol::Op op;
  REQUIRE(parser.next(op) == tern::protocol::ParseStatus::kOp);
  return op;
}

}  // namespace

TEST_CASE("each plain subscription gets the message once", "[router]") {
  Sublist index;
  std::vector<Received> log;
  FakeSubscriber a(10, index, log), b(11, index, log), c(12, index, log), other(13, index, log);
  a.subscribe("foo.bar");
  b.subscribe("foo.*");
  c.subscribe(">");
  other.subscribe("foo.baz");
  other.subscribe("bar.>");
  Publisher publisher{1, true, {}};
  FastRandom random(7);

  const RouteResult result = route(index, publisher, plain_message("foo.bar"), random);
  CHECK(result.deliveries == 3);
  CHECK(result.congested == nullptr);
  CHECK(a.received == 1);
  CHECK(b.received == 1);
  CHECK(c.received == 1);
  CHECK(other.received == 0);
  REQUIRE(log.size() == 3);
  for (const Received& r : log) {
    CHECK(r.subject == "foo.bar");
    CHECK(r.payload == "hello");
    CHECK(r.reply.empty());
  }

  // A subscriber with two matching subscriptions gets one copy per subscription.
  other.subscribe("foo.>");
  other.subscribe("*.bar");
  log.clear();
  const RouteResult second = route(index, publisher, plain_message("foo.bar"), random);
  CHECK(second.deliveries == 5);
  CHECK(count_for(log, 13) == 2);
  CHECK(a.received == 2);
}

TEST_CASE("a subject nobody subscribed to reaches nothing", "[router]") {
  Sublist index;
  std::vector<Received> log;
  FakeSubscriber a(10, index, log);
  a.subscribe("foo");
  Publisher publisher{1, true, {}};
  FastRandom random(7);
  const RouteResult result = route(index, publisher, plain_message("bar"), random);
  CHECK(result.deliveries == 0);
  CHECK(result.congested == nullptr);
  CHECK(log.empty());
}

TEST_CASE("a queue group gets the message once, from one member", "[router][queue]") {
  Sublist index;
  std::vector<Received> log;
  FakeSubscriber m1(21, index, log), m2(22, index, log), m3(23, index, log), plain(30, index, log);
  m1.subscribe("work", "q");
  m2.subscribe("work", "q");
  m3.subscribe("*", "q");  // Another pattern, same group: still one group.
  plain.subscribe("work");
  Publisher publisher{1, true, {}};
  FastRandom random(12345);

  constexpr int kRounds = 300;
  for (int i = 0; i < kRounds; ++i) {
    log.clear();
    const RouteResult result = route(index, publisher, plain_message("work"), random);
    REQUIRE(result.deliveries == 2);
    REQUIRE(log.size() == 2);
    CHECK(count_for(log, 30) == 1);
  }
  CHECK(plain.received == kRounds);
  CHECK(m1.received + m2.received + m3.received == kRounds);
  // Chosen at random: over 300 rounds each member gets some (a fixed pick would starve two).
  CHECK(m1.received > 0);
  CHECK(m2.received > 0);
  CHECK(m3.received > 0);
}

TEST_CASE("two queue groups on one subject each get the message once", "[router][queue]") {
  Sublist index;
  std::vector<Received> log;
  FakeSubscriber a1(1, index, log), a2(2, index, log), b1(3, index, log);
  a1.subscribe("job", "a");
  a2.subscribe("job", "a");
  b1.subscribe("job", "b");
  Publisher publisher{99, true, {}};
  FastRandom random(3);
  const RouteResult result = route(index, publisher, plain_message("job"), random);
  CHECK(result.deliveries == 2);
  CHECK(a1.received + a2.received == 1);
  CHECK(b1.received == 1);
}

TEST_CASE("a queue member that refuses passes the message to another member", "[router][queue]") {
  Sublist index;
  std::vector<Received> log;
  FakeSubscriber m1(21, index, log), m2(22, index, log), m3(23, index, log);
  m1.subscribe("work", "q");
  m2.subscribe("work", "q");
  m3.subscribe("work", "q");
  Publisher publisher{1, true, {}};
  FastRandom random(99);

  SECTION("one member takes everything the others refuse") {
    m1.refuse = true;
    m3.refuse = true;
    for (int i = 0; i < 50; ++i) {
      const RouteResult result = route(index, publisher, plain_message("work"), random);
      REQUIRE(result.deliveries == 1);
    }
    CHECK(m1.received == 0);
    CHECK(m2.received == 50);
    CHECK(m3.received == 0);
  }
  SECTION("when every member refuses, the group gets nothing and nothing is counted") {
    m1.refuse = m2.refuse = m3.refuse = true;
    const RouteResult result = route(index, publisher, plain_message("work"), random);
    CHECK(result.deliveries == 0);
    CHECK(log.empty());
  }
}

TEST_CASE("a refusing plain subscriber is not counted", "[router]") {
  Sublist index;
  std::vector<Received> log;
  FakeSubscriber a(10, index, log), b(11, index, log);
  a.subscribe("x");
  b.subscribe("x");
  b.refuse = true;
  Publisher publisher{1, true, {}};
  FastRandom random(1);
  const RouteResult result = route(index, publisher, plain_message("x"), random);
  CHECK(result.deliveries == 1);
  CHECK(a.received == 1);
  CHECK(b.received == 0);
}

TEST_CASE("echo off skips the publisher's own subscriptions, echo on delivers them", "[router][echo]") {
  Sublist index;
  std::vector<Received> log;
  FakeSubscriber self(1, index, log), other(2, index, log);
  self.subscribe("chat");
  other.subscribe("chat");

  struct Case {
    const char* name;
    std::uint64_t publisher_id;
    bool echo;
    std::uint32_t deliveries;
    int self_received;
  };
  // Echo off only compares ids: another publisher's messages still reach the subscriber.
  const Case c = GENERATE(Case{"echo on", 1, true, 2, 1}, Case{"echo off", 1, false, 1, 0},
                          Case{"echo off, another publisher", 7, false, 2, 1});
  INFO(c.name);
  Publisher publisher{c.publisher_id, c.echo, {}};
  FastRandom random(5);
  const RouteResult result = route(index, publisher, plain_message("chat"), random);
  CHECK(result.deliveries == c.deliveries);
  CHECK(self.received == c.self_received);
  CHECK(other.received == 1);
}

TEST_CASE("echo off passes a queue group's message past the publisher's own member",
          "[router][echo][queue]") {
  Sublist index;
  std::vector<Received> log;
  FakeSubscriber self(1, index, log), other(2, index, log);
  self.subscribe("task", "workers");
  other.subscribe("task", "workers");
  Publisher publisher{1, false, {}};
  FastRandom random(2024);
  for (int i = 0; i < 40; ++i) {
    const RouteResult result = route(index, publisher, plain_message("task"), random);
    REQUIRE(result.deliveries == 1);
  }
  CHECK(self.received == 0);
  CHECK(other.received == 40);
}

TEST_CASE("max_msgs: delivered up to the max, then ended exactly once", "[router][max_msgs]") {
  Sublist index;
  std::vector<Received> log;
  FakeSubscriber limited(10, index, log), open(11, index, log);
  Subscription& sub = limited.subscribe("tick", {}, 2);
  open.subscribe("tick");
  Publisher publisher{1, true, {}};
  FastRandom random(8);
  REQUIRE(index.count() == 2);

  RouteResult result = route(index, publisher, plain_message("tick"), random);
  CHECK(result.deliveries == 2);
  CHECK(sub.delivered == 1);
  CHECK(limited.ended.empty());
  CHECK(index.count() == 2);

  result = route(index, publisher, plain_message("tick"), random);
  CHECK(result.deliveries == 2);
  CHECK(sub.delivered == 2);
  REQUIRE(limited.ended.size() == 1);
  CHECK(limited.ended[0] == sub.sid);
  CHECK(index.count() == 1);

  result = route(index, publisher, plain_message("tick"), random);
  CHECK(result.deliveries == 1);
  CHECK(sub.delivered == 2);
  CHECK(limited.received == 2);
  CHECK(open.received == 3);
  CHECK(limited.ended.size() == 1);
}

TEST_CASE("max_msgs of one ends the subscription at the first delivery", "[router][max_msgs]") {
  Sublist index;
  std::vector<Received> log;
  FakeSubscriber once(10, index, log);
  Subscription& sub = once.subscribe("reply.inbox", {}, 1);
  Publisher publisher{1, true, {}};
  FastRandom random(8);
  CHECK(route(index, publisher, plain_message("reply.inbox"), random).deliveries == 1);
  CHECK(once.ended == std::vector<std::string>{sub.sid});
  CHECK(index.count() == 0);
  CHECK(route(index, publisher, plain_message("reply.inbox"), random).deliveries == 0);
  CHECK(once.received == 1);
  CHECK(once.ended.size() == 1);
}

TEST_CASE("a refused delivery does not count towards max_msgs", "[router][max_msgs]") {
  Sublist index;
  std::vector<Received> log;
  FakeSubscriber once(10, index, log);
  Subscription& sub = once.subscribe("x", {}, 1);
  Publisher publisher{1, true, {}};
  FastRandom random(8);
  once.refuse = true;
  CHECK(route(index, publisher, plain_message("x"), random).deliveries == 0);
  CHECK(sub.delivered == 0);
  CHECK(once.ended.empty());
  once.refuse = false;
  CHECK(route(index, publisher, plain_message("x"), random).deliveries == 1);
  CHECK(sub.delivered == 1);
  CHECK(once.ended.size() == 1);
}

TEST_CASE("a queue member that reaches max_msgs leaves the group to the others",
          "[router][max_msgs][queue]") {
  Sublist index;
  std::vector<Received> log;
  FakeSubscriber once(10, index, log), stays(11, index, log);
  once.subscribe("q.work", "g", 1);
  stays.subscribe("q.work", "g");
  Publisher publisher{1, true, {}};
  FastRandom random(77);
  for (int i = 0; i < 30; ++i)
    REQUIRE(route(index, publisher, plain_message("q.work"), random).deliveries == 1);
  // Picked at some point in 30 rounds (a fixed seed), then never again.
  CHECK(once.received == 1);
  CHECK(stays.received == 29);
  CHECK(once.ended.size() == 1);
  CHECK(index.count() == 1);
}

TEST_CASE("congested names the first congested receiver, never the publisher", "[router][congested]") {
  Sublist index;
  std::vector<Received> log;
  FakeSubscriber self(1, index, log), calm(2, index, log), busy(3, index, log), busier(4, index, log);
  self.subscribe("feed");
  calm.subscribe("feed");
  busy.subscribe("feed");
  busier.subscribe("feed");
  FastRandom random(4);

  SECTION("the first congested receiver in delivery order, other than the publisher") {
    self.congested = busy.congested = busier.congested = true;
    Publisher publisher{1, true, {}};
    const RouteResult result = route(index, publisher, plain_message("feed"), random);
    CHECK(result.deliveries == 4);
    REQUIRE(log.size() == 4);
    std::uint64_t first = 0;
    for (const Received& r : log) {
      if (r.subscriber == 3 || r.subscriber == 4) {
        first = r.subscriber;
        break;
      }
    }
    REQUIRE(result.congested != nullptr);
    CHECK(result.congested->id() == first);
  }
  SECTION("only the publisher congested: nobody to wait for") {
    self.congested = true;
    Publisher publisher{1, true, {}};
    const RouteResult result = route(index, publisher, plain_message("feed"), random);
    CHECK(result.deliveries == 4);
    CHECK(self.received == 1);
    CHECK(result.congested == nullptr);
  }
  SECTION("nobody congested") {
    Publisher publisher{1, true, {}};
    const RouteResult result = route(index, publisher, plain_message("feed"), random);
    CHECK(result.congested == nullptr);
  }
  SECTION("a congested receiver that refuses is not named") {
    busy.congested = true;
    busy.refuse = true;
    Publisher publisher{1, true, {}};
    const RouteResult result = route(index, publisher, plain_message("feed"), random);
    CHECK(result.deliveries == 3);
    CHECK(result.congested == nullptr);
  }
  SECTION("a congested queue member is named") {
    FakeSubscriber member(5, index, log);
    member.subscribe("feed", "q");
    member.congested = true;
    Publisher publisher{1, true, {}};
    const RouteResult result = route(index, publisher, plain_message("feed"), random);
    CHECK(result.deliveries == 5);
    CHECK(result.congested == &member);
  }
}

TEST_CASE("subjects with an empty token reach nothing, even with '>' subscribed", "[router][subject]") {
  Sublist index;
  std::vector<Received> log;
  FakeSubscriber all(10, index, log), one(11, index, log), two(12, index, log);
  all.subscribe(">");
  one.subscribe("*");
  two.subscribe("*.*");
  Publisher publisher{1, true, {}};
  FastRandom random(6);

  const std::string_view subject =
      GENERATE(as<std::string_view>{}, "", ".", "..", ".a", "a.", "a..b", "a.b.", ".a.b", "a.b..c");
  CAPTURE(subject);
  const RouteResult result = route(index, publisher, plain_message(subject), random);
  CHECK(result.deliveries == 0);
  CHECK(result.congested == nullptr);
  CHECK(log.empty());

  // The same subscriptions do receive valid subjects.
  CHECK(route(index, publisher, plain_message("a"), random).deliveries == 2);
  CHECK(route(index, publisher, plain_message("a.b"), random).deliveries == 2);
}

TEST_CASE("the message reaches the subscriber as it was routed", "[router]") {
  Sublist index;
  std::vector<Received> log;
  FakeSubscriber a(10, index, log);
  a.subscribe("svc.>");
  Publisher publisher{1, true, {}};
  FastRandom random(6);
  OwnedSizes sizes;
  const std::string payload = "NATS/1.0\r\nA: b\r\n\r\nbody";
  const RoutedMessage msg = sizes.make("svc.echo", "_INBOX.1", payload, 18);
  CHECK(route(index, publisher, msg, random).deliveries == 1);
  REQUIRE(log.size() == 1);
  CHECK(log[0].subject == "svc.echo");
  CHECK(log[0].reply == "_INBOX.1");
  CHECK(log[0].payload == payload);
  CHECK(log[0].header_size == 18);
}

TEST_CASE("OwnedSizes::from_op of an HPUB: the sizes as exact digits", "[router][headers]") {
  tern::protocol::Parser parser(tern::protocol::Direction::kFromClient);
  const std::string bytes = "HPUB a 12 17\r\nNATS/1.0\r\n\r\nhello\r\n";
  const tern::protocol::Op op = parse_one(parser, bytes);
  REQUIRE(op.kind == tern::protocol::OpKind::kHpub);

  OwnedSizes sizes;
  const RoutedMessage msg = sizes.from_op(op);
  CHECK(msg.subject == "a");
  CHECK(msg.reply.empty());
  CHECK(msg.header_size == 12);
  CHECK(msg.has_headers());
  CHECK(msg.payload == "NATS/1.0\r\n\r\nhello");
  CHECK(msg.headers() == "NATS/1.0\r\n\r\n");
  CHECK(msg.body() == "hello");
  CHECK(msg.header_size_text == "12");
  CHECK(msg.total_size_text == "17");
  CHECK(msg.body_size_text == "5");
}

TEST_CASE("OwnedSizes::from_op of an HPUB with a reply and a longer body", "[router][headers]") {
  tern::protocol::Parser parser(tern::protocol::Direction::kFromClient);
  const std::string body(1000, 'x');
  const std::string bytes = "HPUB s.t r.1 22 1022\r\nNATS/1.0\r\nK: vvvvv\r\n\r\n" + body + "\r\n";
  const tern::protocol::Op op = parse_one(parser, bytes);
  REQUIRE(op.kind == tern::protocol::OpKind::kHpub);
  OwnedSizes sizes;
  const RoutedMessage msg = sizes.from_op(op);
  CHECK(msg.subject == "s.t");
  CHECK(msg.reply == "r.1");
  CHECK(msg.header_size == 22);
  CHECK(msg.header_size_text == "22");
  CHECK(msg.total_size_text == "1022");
  CHECK(msg.body_size_text == "1000");
  CHECK(msg.body() == body);
}

TEST_CASE("OwnedSizes::from_op of a PUB: no header size, the body's size is the total", "[router][headers]") {
  tern::protocol::Parser parser(tern::protocol::Direction::kFromClient);
  const std::string bytes = "PUB a.b reply 11\r\nhello world\r\n";
  const tern::protocol::Op op = parse_one(parser, bytes);
  REQUIRE(op.kind == tern::protocol::OpKind::kPub);
  OwnedSizes sizes;
  const RoutedMessage msg = sizes.from_op(op);
  CHECK(msg.subject == "a.b");
  CHECK(msg.reply == "reply");
  CHECK(msg.header_size == 0);
  CHECK_FALSE(msg.has_headers());
  CHECK(msg.header_size_text.empty());
  CHECK(msg.total_size_text == "11");
  CHECK(msg.body_size_text == "11");
  CHECK(msg.body() == "hello world");
  CHECK(msg.headers().empty());
}

TEST_CASE("OwnedSizes::from_op of an HPUB with an empty header block is a plain message",
          "[router][headers]") {
  tern::protocol::Parser parser(tern::protocol::Direction::kFromClient);
  const std::string bytes = "HPUB a 0 5\r\nhello\r\n";
  const tern::protocol::Op op = parse_one(parser, bytes);
  REQUIRE(op.kind == tern::protocol::OpKind::kHpub);
  OwnedSizes sizes;
  const RoutedMessage msg = sizes.from_op(op);
  CHECK(msg.header_size == 0);
  CHECK_FALSE(msg.has_headers());
  CHECK(msg.total_size_text == "5");
  CHECK(msg.body_size_text == "5");
  CHECK(msg.body() == "hello");
}

TEST_CASE("OwnedSizes::make writes the sizes of a server-made message", "[router][headers]") {
  OwnedSizes sizes;
  SECTION("with headers") {
    const std::string payload = "NATS/1.0 503\r\n\r\n";  // The no-responders status: 16 bytes, no body.
    const RoutedMessage msg = sizes.make("_INBOX.x", "", payload, payload.size());
    CHECK(msg.subject == "_INBOX.x");
    CHECK(msg.reply.empty());
    CHECK(msg.header_size == 16);
    CHECK(msg.header_size_text == "16");
    CHECK(msg.total_size_text == "16");
    CHECK(msg.body_size_text == "0");
    CHECK(msg.body().empty());
  }
  SECTION("with headers and a body") {
    const std::string payload = "NATS/1.0\r\n\r\n" + std::string(1234, 'b');
    const RoutedMessage msg = sizes.make("s", "r", payload, 12);
    CHECK(msg.header_size_text == "12");
    CHECK(msg.total_size_text == "1246");
    CHECK(msg.body_size_text == "1234");
  }
  SECTION("without headers") {
    const RoutedMessage msg = sizes.make("s", "r", "hello", 0);
    CHECK(msg.header_size == 0);
    CHECK(msg.header_size_text.empty());
    CHECK(msg.total_size_text == "5");
    CHECK(msg.body_size_text == "5");
  }
  SECTION("empty") {
    const RoutedMessage msg = sizes.make("s", "", "", 0);
    CHECK(msg.header_size_text.empty());
    CHECK(msg.total_size_text == "0");
    CHECK(msg.body_size_text == "0");
  }
}
