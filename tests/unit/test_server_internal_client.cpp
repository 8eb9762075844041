// Internal clients: handlers on the loop thread reached through the same routing as a client's PUB, and
// publishes from inside a delivery routed after the outer route, not nested in it. No sockets: the
// server is constructed but never started.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "server/internal_client.h"
#include "server/log.h"
#include "server/server.h"

using tern::server::InternalClient;
using tern::server::RoutedMessage;
using tern::server::Subscription;

namespace {

struct Received {
  std::string subject, reply, headers, body, sid;
};

InternalClient::Handler record_into(std::vector<Received>& into) {
  return [&into](const Subscription& sub, const RoutedMessage& msg) {
    into.push_back({std::string(msg.subject), std::string(msg.reply), std::string(msg.headers()),
                    std::string(msg.body()), sub.sid});
  };
}

struct Fixture {
  tern::server::Logger log;
  tern::server::Server server{tern::server::Options{}, log};
};

}  // namespace

TEST_CASE("an internal subscriber receives what another internal client publishes", "[internal]") {
  Fixture f;
  InternalClient service(f.server, "service");
  InternalClient caller(f.server, "caller");
  std::vector<Received> got;
  REQUIRE(service.subscribe("svc.*", "", record_into(got)) != nullptr);
  CHECK(caller.publish("svc.time", "reply.1", "", "now?") == 1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].subject == "svc.time");
  CHECK(got[0].reply == "reply.1");
  CHECK(got[0].body == "now?");
  CHECK(got[0].sid == "1");
  CHECK(caller.publish("other", "", "", "x") == 0);
  CHECK(caller.counters().in_msgs == 2);
  CHECK(service.counters().out_msgs == 1);
  CHECK(service.counters().out_bytes == 4);
  CHECK(f.server.counters().traffic.in_msgs == 2);
  CHECK(f.server.counters().traffic.out_msgs == 1);
}

TEST_CASE("headers reach an internal subscriber split from the body", "[internal]") {
  Fixture f;
  InternalClient service(f.server, "service");
  InternalClient caller(f.server, "caller");
  std::vector<Received> got;
  service.subscribe("h", "", record_into(got));
  const std::string headers = "NATS/1.0\r\nK: v\r\n\r\n";
  CHECK(caller.publish("h", "", headers, "body") == 1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].headers == headers);
  CHECK(got[0].body == "body");
}

TEST_CASE("a reply published from inside a handler is routed after the request's route", "[internal]") {
  Fixture f;
  InternalClient service(f.server, "service");
  InternalClient caller(f.server, "caller");
  std::vector<std::string> order;
  service.subscribe("req", "", [&](const Subscription&, const RoutedMessage& msg) {
    order.push_back("request");
    // Deferred: the request's route is still running.
    CHECK(service.publish(msg.reply, "", "", "answer") == 0);
    order.push_back("handler returned");
  });
  std::vector<Received> replies;
  caller.subscribe("inbox.>", "", [&](const Subscription& sub, const RoutedMessage& msg) {
    order.push_back("reply");
    replies.push_back({std::string(msg.subject), "", "", std::string(msg.body()), sub.sid});
  });
  CHECK(caller.publish("req", "inbox.7", "", "q") == 1);
  CHECK(order == std::vector<std::string>{"request", "handler returned", "reply"});
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].subject == "inbox.7");
  CHECK(replies[0].body == "answer");
}

TEST_CASE("a handler publishing to its own subject does not recurse", "[internal]") {
  Fixture f;
  InternalClient loop(f.server, "loop");
  int calls = 0;
  loop.subscribe("echo", "", [&](const Subscription&, const RoutedMessage&) {
    if (++calls < 5) loop.publish("echo", "", "", "again");
  });
  loop.publish("echo", "", "", "first");
  // Each publish is routed after the previous route returned: five calls in sequence, never nested.
  CHECK(calls == 5);
}

TEST_CASE("a queue group of internal subscribers gets each message once", "[internal]") {
  Fixture f;
  InternalClient a(f.server, "a");
  InternalClient b(f.server, "b");
  InternalClient caller(f.server, "caller");
  std::vector<Received> got_a, got_b;
  a.subscribe("work", "workers", record_into(got_a));
  b.subscribe("work", "workers", record_into(got_b));
  for (int i = 0; i < 100; ++i)
    CHECK(caller.publish("work", "", "", std::to_string(i)) == 1);
  CHECK(got_a.size() + got_b.size() == 100);
}

TEST_CASE("unsubscribing, and invalid subjects", "[internal]") {
  Fixture f;
  InternalClient service(f.server, "service");
  InternalClient caller(f.server, "caller");
  std::vector<Received> got;
  CHECK(service.subscribe("a..b", "", record_into(got)) == nullptr);
  CHECK(service.subscribe("a.>.b", "", record_into(got)) == nullptr);
  Subscription* sub = service.subscribe("a", "", [&](const Subscription& s, const RoutedMessage&) {
    got.push_back({});
    // A handler may end its own subscription while it runs.
    service.unsubscribe(const_cast<Subscription*>(&s));
  });
  REQUIRE(sub != nullptr);
  CHECK(caller.publish("a", "", "", "1") == 1);
  CHECK(caller.publish("a", "", "", "2") == 0);
  CHECK(got.size() == 1);
  CHECK(service.subscription_count() == 0);
}
