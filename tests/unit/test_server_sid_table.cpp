// The per-connection subscription table against std::map, through random inserts and removals.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <random>
#include <string>

#include "server/sid_table.h"

using tern::server::SidTable;
using tern::server::Subscription;

namespace {

std::unique_ptr<Subscription> make(const std::string& sid) {
  auto sub = std::make_unique<Subscription>();
  sub->sid = sid;
  sub->subject = "s." + sid;
  return sub;
}

}  // namespace

TEST_CASE("an empty table finds and releases nothing", "[sid-table]") {
  SidTable table;
  CHECK(table.empty());
  CHECK(table.find("1") == nullptr);
  Subscription stranger;
  stranger.sid = "1";
  CHECK(table.release(&stranger) == nullptr);
}

TEST_CASE("the table agrees with std::map through random inserts and removals", "[sid-table]") {
  SidTable table;
  std::map<std::string, Subscription*> oracle;
  std::mt19937 rng(7);
  for (int step = 0; step < 50000; ++step) {
    const std::string sid = std::to_string(rng() % 2000);
    const auto known = oracle.find(sid);
    if (rng() % 3 != 0) {
      if (known == oracle.end()) {
        auto sub = make(sid);
        oracle[sid] = sub.get();
        table.insert(std::move(sub));
      }
    } else if (known != oracle.end()) {
      auto released = table.release(known->second);
      REQUIRE(released.get() == known->second);
      oracle.erase(known);
    }
    REQUIRE(table.size() == oracle.size());
    const auto probe = std::to_string(rng() % 2000);
    const auto expected = oracle.find(probe);
    REQUIRE(table.find(probe) == (expected == oracle.end() ? nullptr : expected->second));
  }
  std::size_t visited = 0;
  table.for_each([&](const Subscription& sub) {
    ++visited;
    CHECK(oracle.at(sub.sid) == &sub);
  });
  CHECK(visited == oracle.size());
}

TEST_CASE("releasing a subscription that is not the one stored under its sid does nothing", "[sid-table]") {
  SidTable table;
  table.insert(make("a"));
  Subscription impostor;
  impostor.sid = "a";
  CHECK(table.release(&impostor) == nullptr);
  CHECK(table.size() == 1);
  CHECK(table.find("a") != nullptr);
}
