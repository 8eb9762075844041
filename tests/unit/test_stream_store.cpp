// The store's behaviour, run against both stores (the file store is also reopened, so that what each
// test did must survive recovery). Sizes are nats-server's accounting (store.h).
#include <string>

#include "tests/unit/stream_store_fixtures.h"

using namespace stream_test;

namespace {

template <typename Fixture>
std::uint64_t put(Fixture& fixture, std::string_view subject, std::string_view payload,
                  std::int64_t ts = kNow, std::string_view headers = {}) {
  StoreError error;
  const std::uint64_t seq = fixture.store->append(subject, headers, payload, ts, error);
  REQUIRE_FALSE(error);
  return seq;
}

template <typename Fixture>
std::uint64_t size_of(std::string_view subject, std::string_view payload) {
  return Fixture::kDurable ? file_store_msg_size(subject.size(), 0, payload.size())
                           : memory_store_msg_size(subject.size(), 0, payload.size());
}

std::string payload_of(const std::optional<StoredMessage>& message) {
  return message ? message->payload : "<none>";
}

}  // namespace

TEMPLATE_TEST_CASE("append, load and state", "[stream]", MemoryFixture, FileFixture) {
  TestType fixture;
  fixture.open();
  CHECK(fixture.store->state().first_seq == 0);
  CHECK(put(fixture, "orders.new", "one", kNow + 10) == 1);
  CHECK(put(fixture, "orders.old", "two", kNow + 5, "NATS/1.0\r\nA: b\r\n\r\n") == 2);
  CHECK(put(fixture, "orders.new", "three", kNow + 30) == 3);
  for (int round = 0; round < 2; ++round) {
    StoreError error;
    const auto second = fixture.store->load(2, error);
    REQUIRE(second);
    CHECK(second->subject == "orders.old");
    CHECK(second->headers == "NATS/1.0\r\nA: b\r\n\r\n");
    CHECK(second->payload == "two");
    CHECK(second->timestamp_ns == kNow + 10);  // Raised to the previous message's.
    CHECK_FALSE(fixture.store->load(4, error));
    CHECK(error.code == StoreError::Code::kNotFound);
    const StoreState state = fixture.store->state();
    CHECK(state.msgs == 3);
    CHECK(state.first_seq == 1);
    CHECK(state.last_seq == 3);
    CHECK(state.first_ts_ns == kNow + 10);
    CHECK(state.last_ts_ns == kNow + 30);
    CHECK(state.num_subjects == 2);
    const std::uint64_t header_size =
        TestType::kDurable ? file_store_msg_size(10, 18, 3) : memory_store_msg_size(10, 18, 3);
    CHECK(state.bytes ==
          size_of<TestType>("orders.new", "one") + header_size + size_of<TestType>("orders.new", "three"));
    fixture.reopen();
  }
  CHECK(put(fixture, "orders.new", "four") == 4);
}

TEMPLATE_TEST_CASE("load_next with filters, load_last and seq_for_time", "[stream]", MemoryFixture,
                   FileFixture) {
  TestType fixture;
  fixture.open();
  for (int i = 1; i <= 200; ++i) {
    put(fixture, i % 3 == 0 ? "a.x.1" : (i % 3 == 1 ? "a.y" : "b.z"), std::to_string(i), kNow + i * 100);
  }
  for (int round = 0; round < 2; ++round) {
    StoreError error;
    CHECK(fixture.store->load_next("", 5, error)->seq == 5);
    CHECK(fixture.store->load_next(">", 5, error)->seq == 5);
    CHECK(fixture.store->load_next("a.*", 5, error)->seq == 7);
    CHECK(fixture.store->load_next("a.>", 5, error)->seq == 6);
    CHECK(fixture.store->load_next("a.x.1", 4, error)->seq == 6);
    CHECK(fixture.store->load_next("*.z", 199, error)->seq == 200);
    CHECK_FALSE(fixture.store->load_next("c.>", 1, error));
    CHECK_FALSE(fixture.store->load_next("a.y", 200, error));
    CHECK(payload_of(fixture.store->load_last("a.y", error)) == "199");
    CHECK(payload_of(fixture.store->load_last("a.x.1", error)) == "198");
    CHECK_FALSE(fixture.store->load_last("a.*.1", error));
    CHECK(fixture.store->seq_for_time(0) == 1);
    CHECK(fixture.store->seq_for_time(kNow + 150 * 100) == 150);
    CHECK(fixture.store->seq_for_time(kNow + 150 * 100 - 1) == 150);
    CHECK(fixture.store->seq_for_time(kNow + 150 * 100 + 1) == 151);
    CHECK(fixture.store->seq_for_time(kNow + 999999) == 201);
    const SubjectState filtered = fixture.store->filtered_state("a.*", 100);
    CHECK(filtered.msgs == 34);
    CHECK(filtered.first_seq == 100);
    CHECK(filtered.last_seq == 199);
    const SubjectState all_a = fixture.store->filtered_state("a.>", 0);
    CHECK(all_a.msgs == 133);
    CHECK(all_a.first_seq == 1);
    CHECK(all_a.last_seq == 199);
    const SubjectState one = fixture.store->subject_state("b.z");
    CHECK(one.msgs == 67);
    CHECK(one.first_seq == 2);
    CHECK(one.last_seq == 200);
    int visited = 0;
    fixture.store->for_each_subject(
        "a.>", [&visited](std::string_view, const SubjectState&) { return ++visited < 10; });
    CHECK(visited == 2);
    fixture.reopen();
  }
}

TEMPLATE_TEST_CASE("remove, with erase, stays removed", "[stream]", MemoryFixture, FileFixture) {
  TestType fixture;
  fixture.open();
  for (int i = 1; i <= 10; ++i)
    put(fixture, i % 2 ? "odd" : "even", "secret" + std::to_string(i));
  StoreError error;
  CHECK(fixture.store->remove(1, false, error));
  CHECK(fixture.store->remove(5, true, error));
  CHECK(fixture.store->remove(10, false, error));
  CHECK_FALSE(fixture.store->remove(5, false, error));
  CHECK_FALSE(fixture.store->remove(11, false, error));
  for (int round = 0; round < 2; ++round) {
    const StoreState state = fixture.store->state();
    CHECK(state.msgs == 7);
    CHECK(state.first_seq == 2);
    CHECK(state.last_seq == 10);  // Removing the last message does not move last_seq.
    CHECK(state.num_deleted == 2);
    CHECK_FALSE(fixture.store->load(5, error));
    CHECK(fixture.store->subject_state("odd").first_seq == 3);
    CHECK(fixture.store->subject_state("odd").msgs == 3);
    CHECK(fixture.store->subject_state("even").last_seq == 8);
    CHECK(fixture.store->load_next("odd", 4, error)->seq == 7);
    fixture.reopen();
  }
  CHECK(put(fixture, "odd", "x") == 11);
}

TEMPLATE_TEST_CASE("purge all, by filter, up to a sequence and keeping some", "[stream]", MemoryFixture,
                   FileFixture) {
  TestType fixture;
  fixture.open();
  for (int i = 1; i <= 20; ++i)
    put(fixture, i % 2 ? "k.a" : "k.b", std::to_string(i));
  StoreError error;
  CHECK(fixture.store->purge(PurgeRequest{"k.a", 0, 3}, error) == 7);  // Keeps 15, 17, 19.
  CHECK(fixture.store->purge(PurgeRequest{"k.b", 9, 0}, error) == 4);  // 2, 4, 6, 8.
  CHECK(fixture.store->purge(PurgeRequest{"k.*", 5, 2}, error) == 0);
  CHECK(error.code == StoreError::Code::kInvalid);
  for (int round = 0; round < 2; ++round) {
    const StoreState state = fixture.store->state();
    CHECK(state.msgs == 9);
    CHECK(state.first_seq == 10);
    CHECK(fixture.store->subject_state("k.a").first_seq == 15);
    CHECK(fixture.store->subject_state("k.b").msgs == 6);
    fixture.reopen();
  }
  CHECK(fixture.store->purge(PurgeRequest{"", 0, 4}, error) == 5);
  CHECK(fixture.store->state().first_seq == 17);
  CHECK(fixture.store->purge(PurgeRequest{}, error) == 4);
  for (int round = 0; round < 2; ++round) {
    const StoreState state = fixture.store->state();
    CHECK(state.msgs == 0);
    CHECK(state.first_seq == 21);
    CHECK(state.last_seq == 20);
    CHECK(state.bytes == 0);
    CHECK(state.num_subjects == 0);
    CHECK(state.first_ts_ns == 0);
    fixture.reopen();
  }
  CHECK(put(fixture, "k.a", "x") == 21);
  // Compacting past the end moves the sequence on, as nats-server's Compact.
  CHECK(fixture.store->purge(PurgeRequest{"", 100, 0}, error) == 1);
  fixture.reopen();
  CHECK(fixture.store->state().first_seq == 100);
  CHECK(fixture.store->state().last_seq == 99);
  CHECK(put(fixture, "k.a", "y") == 100);
}

TEMPLATE_TEST_CASE("max_msgs, max_bytes and max_msgs_per_subject, across a reopen", "[stream]", MemoryFixture,
                   FileFixture) {
  TestType fixture;
  fixture.limits.max_msgs = 10;
  fixture.limits.max_msgs_per_subject = 2;
  fixture.limits.max_bytes = 8 * static_cast<std::int64_t>(size_of<TestType>("s.1", "xx"));
  fixture.open();
  for (int i = 1; i <= 30; ++i)
    put(fixture, "s." + std::to_string(i % 6), "xx");
  for (int round = 0; round < 2; ++round) {
    const StoreState state = fixture.store->state();
    CHECK(state.msgs == 8);
    CHECK(state.first_seq == 23);
    CHECK(state.last_seq == 30);
    CHECK(fixture.store->subject_state("s.0").msgs == 2);
    CHECK(fixture.store->subject_state("s.0").first_seq == 24);
    fixture.reopen();
  }
  // Per subject: a KV-like stream keeps the last value of each key.
  StoreLimits kv;
  kv.max_msgs_per_subject = 1;
  fixture.reopen_with(kv);
  for (int i = 1; i <= 50; ++i)
    put(fixture, "key." + std::to_string(i % 5), std::to_string(i));
  StoreError error;
  for (int round = 0; round < 2; ++round) {
    // The tightened per-subject limit left one of each s.* subject (25 to 30) and the five keys.
    CHECK(fixture.store->state().msgs == 11);
    CHECK(fixture.store->state().first_seq == 25);
    CHECK(fixture.store->state().num_deleted == 80 - 25 + 1 - 11);
    CHECK(payload_of(fixture.store->load_last("key.3", error)) == "48");
    fixture.reopen();
  }
}

TEMPLATE_TEST_CASE("max_age expires, and applies again on reopen", "[stream]", MemoryFixture, FileFixture) {
  TestType fixture;
  fixture.limits.max_age_ns = 1000;
  fixture.open();
  for (int i = 0; i < 10; ++i)
    put(fixture, "t", "x", kNow + i * 100);
  CHECK(fixture.store->next_expiry_ns() == kNow + 1000);
  CHECK(fixture.store->expire(kNow + 1000) == 1);  // At or before now - max_age.
  CHECK(fixture.store->expire(kNow + 1450) == 4);
  CHECK(fixture.store->state().first_seq == 6);
  CHECK(fixture.store->next_expiry_ns() == kNow + 1500);
  if constexpr (TestType::kDurable) {
    fixture.now = kNow + 1750;
    fixture.reopen();
    CHECK(fixture.store->state().first_seq == 9);
    CHECK(fixture.store->state().msgs == 2);
  }
  CHECK(fixture.store->expire(kNow + 100000) == (TestType::kDurable ? 2u : 5u));
}

TEMPLATE_TEST_CASE("loosened limits do not resurrect what the old ones removed", "[stream]", MemoryFixture,
                   FileFixture) {
  TestType fixture;
  fixture.limits.max_msgs = 5;
  fixture.limits.max_msgs_per_subject = 1;
  fixture.open();
  for (int i = 1; i <= 12; ++i)
    put(fixture, i % 3 == 0 ? "rare" : "often." + std::to_string(i % 2), std::to_string(i));
  // Left: 10 (often.0), 11 (often.1), 12 (rare); 9 (rare) was evicted by the per-subject limit.
  REQUIRE(fixture.store->state().msgs == 3);
  fixture.reopen_with(StoreLimits{});
  for (int round = 0; round < 2; ++round) {
    const StoreState state = fixture.store->state();
    CHECK(state.msgs == 3);
    CHECK(state.first_seq == 10);
    CHECK(fixture.store->subject_state("rare").first_seq == 12);
    fixture.reopen();
  }
}

TEMPLATE_TEST_CASE("a delete after limit evictions replays to the same state", "[stream]", MemoryFixture,
                   FileFixture) {
  TestType fixture;
  fixture.limits.max_msgs = 2;
  fixture.open();
  for (int i = 1; i <= 3; ++i)
    put(fixture, "s", std::to_string(i));
  StoreError error;
  REQUIRE(fixture.store->remove(3, false, error));
  fixture.reopen();
  const StoreState state = fixture.store->state();
  CHECK(state.msgs == 1);
  CHECK(state.first_seq == 2);
  CHECK(state.last_seq == 3);
}
