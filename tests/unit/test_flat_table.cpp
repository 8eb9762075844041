// The open-addressing table behind the trie's children and the sid table: lookups, erase by backward
// shift, growth and shrinking, and probe runs made of keys chosen to share a home slot.
#include <catch2/catch.hpp>

#include <deque>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "server/flat_table.h"

using tern::server::FlatTable;
using tern::server::detail::hash_bytes;

namespace {

struct Item {
  std::string key;
};

struct ItemKey {
  std::string_view operator()(const Item& item) const noexcept { return item.key; }
};

using ItemTable = FlatTable<Item, ItemKey>;

// Owns the items of a test at stable addresses.
class Items {
 public:
  Item* make(std::string key) { return &storage_.emplace_back(Item{std::move(key)}); }

 private:
  std::deque<Item> storage_;
};

// `count` distinct keys whose hashes agree in their low `bits` bits with `home`, so that they share a
// home slot in every table of up to 2^bits slots.
std::vector<std::string> keys_with_home(std::size_t home, int bits, std::size_t count) {
  const std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
  std::vector<std::string> keys;
  for (std::uint64_t n = 0; keys.size() < count; ++n) {
    std::string key = "k";
    key.append(std::to_string(n));
    if ((hash_bytes(key) & mask) == home) keys.push_back(std::move(key));
  }
  return keys;
}

// Checks that every key of `oracle` is found as its item and that the table is no fuller than 7/8.
void check_agrees(const ItemTable& table, const std::map<std::string, Item*>& oracle) {
  REQUIRE(table.size() == oracle.size());
  REQUIRE(table.size() * 8 <= table.capacity() * 7);
  for (const auto& [key, item] : oracle)
    REQUIRE(table.find(key) == item);
  std::size_t visited = 0;
  table.for_each([&](const Item* item) {
    ++visited;
    REQUIRE(oracle.at(item->key) == item);
  });
  REQUIRE(visited == oracle.size());
}

}  // namespace

TEST_CASE("an empty table finds and erases nothing and holds no memory", "[flat-table]") {
  ItemTable table;
  Item stranger{"a"};
  CHECK(table.empty());
  CHECK(table.capacity() == 0);
  CHECK(table.find("a") == nullptr);
  CHECK(table.erase(&stranger) == nullptr);
}

TEST_CASE("insert, find and erase", "[flat-table]") {
  ItemTable table;
  Items items;
  Item* a = items.make("a");
  Item* b = items.make("b");
  table.insert(a);
  table.insert(b, hash_bytes("b"));
  CHECK(table.size() == 2);
  CHECK(table.find("a") == a);
  CHECK(table.find("b", hash_bytes("b")) == b);
  CHECK(table.find("c") == nullptr);
  CHECK(table.find("") == nullptr);

  CHECK(table.erase(a) == a);
  CHECK(table.find("a") == nullptr);
  CHECK(table.find("b") == b);
  CHECK(table.erase(a) == nullptr);
  CHECK(table.size() == 1);

  CHECK(table.erase(b) == b);
  CHECK(table.empty());
  CHECK(table.capacity() == 0);
}

TEST_CASE("erase compares addresses, not keys", "[flat-table]") {
  ItemTable table;
  Items items;
  Item* stored = items.make("same");
  table.insert(stored);
  Item impostor{"same"};
  CHECK(table.erase(&impostor) == nullptr);
  CHECK(table.find("same") == stored);
}

TEST_CASE("the empty key is a key like any other", "[flat-table]") {
  ItemTable table;
  Items items;
  Item* empty = items.make("");
  table.insert(empty);
  CHECK(table.find("") == empty);
  CHECK(table.erase(empty) == empty);
}

TEST_CASE("the table grows as it fills and shrinks as it empties", "[flat-table]") {
  ItemTable table;
  Items items;
  std::map<std::string, Item*> oracle;
  std::vector<Item*> inserted;
  std::size_t last_capacity = 0;
  for (int n = 0; n < 10000; ++n) {
    Item* item = items.make(std::to_string(n));
    table.insert(item);
    oracle[item->key] = item;
    inserted.push_back(item);
    CHECK(table.capacity() >= last_capacity);
    last_capacity = table.capacity();
  }
  check_agrees(table, oracle);
  CHECK(table.capacity() <= 10000 * 8 / 7 * 2);

  // Past 7/8 empty it shrinks back to at most half full.
  for (std::size_t i = 0; i < inserted.size() - 10; ++i) {
    REQUIRE(table.erase(inserted[i]) == inserted[i]);
    oracle.erase(inserted[i]->key);
  }
  check_agrees(table, oracle);
  CHECK(table.capacity() <= 64);
  for (std::size_t i = inserted.size() - 10; i < inserted.size(); ++i)
    REQUIRE(table.erase(inserted[i]) == inserted[i]);
  CHECK(table.capacity() == 0);
}

TEST_CASE("keys that share one home slot, including runs that wrap around the end", "[flat-table]") {
  // Homes at the last slot wrap their probe runs round to slot 0, where the second set of keys lives,
  // so erasing must decide for every entry it passes whether it may move back.
  const auto& [home, label] = GENERATE(table<std::size_t, const char*>({{0, "home 0"}, {127, "home last"}}));
  INFO(label);
  constexpr int kBits = 7;  // Tables of up to 128 slots, which 56 entries never outgrow.
  std::vector<std::string> keys = keys_with_home(home, kBits, 24);
  for (std::string& key : keys_with_home(127 - home, kBits, 24))
    keys.push_back(std::move(key));
  for (int n = 0; n < 8; ++n)
    keys.push_back("other" + std::to_string(n));

  ItemTable table;
  Items items;
  std::map<std::string, Item*> oracle;
  std::mt19937 rng(11);
  for (int step = 0; step < 20000; ++step) {
    const std::string& key = keys[rng() % keys.size()];
    const auto known = oracle.find(key);
    if (known == oracle.end()) {
      Item* item = items.make(key);
      table.insert(item);
      oracle[key] = item;
    } else if (rng() % 2 == 0) {
      REQUIRE(table.erase(known->second) == known->second);
      oracle.erase(known);
    }
    REQUIRE(table.capacity() <= 128);
    if (step % 16 == 0) check_agrees(table, oracle);
  }
  check_agrees(table, oracle);
}

TEST_CASE("the table agrees with std::map through random inserts and erases", "[flat-table]") {
  ItemTable table;
  Items items;
  std::map<std::string, Item*> oracle;
  std::mt19937 rng(7);
  for (int step = 0; step < 100000; ++step) {
    const std::string key = std::to_string(rng() % 3000);
    const auto known = oracle.find(key);
    // Phases that mostly insert and phases that mostly erase, so the table grows and shrinks repeatedly.
    const bool filling = (step / 10000) % 2 == 0;
    const bool insert = filling ? rng() % 4 != 0 : rng() % 4 == 0;
    if (insert && known == oracle.end()) {
      Item* item = items.make(key);
      table.insert(item);
      oracle[key] = item;
    } else if (!insert && known != oracle.end()) {
      REQUIRE(table.erase(known->second) == known->second);
      oracle.erase(known);
    }
    REQUIRE(table.size() == oracle.size());
    const std::string probe = std::to_string(rng() % 3000);
    const auto expected = oracle.find(probe);
    REQUIRE(table.find(probe) == (expected == oracle.end() ? nullptr : expected->second));
  }
  check_agrees(table, oracle);
}
