// ConnectionState: every transition may_move() allows or forbids, and in which states the socket is read.
#include <catch2/catch.hpp>

#include <array>
#include <cstddef>

#include "server/connection_state.h"

using tern::server::ConnectionState;
using tern::server::is_closing;
using tern::server::may_move;
using tern::server::reads_in;

namespace {

using S = ConnectionState;

constexpr std::array<S, 7> kStates = {S::kAwaitingAuth, S::kAuthenticating, S::kOpen,  S::kStalled,
                                      S::kDraining,     S::kClosing,        S::kClosed};

const char* name(S state) {
  switch (state) {
    case S::kAwaitingAuth:
      return "kAwaitingAuth";
    case S::kAuthenticating:
      return "kAuthenticating";
    case S::kOpen:
      return "kOpen";
    case S::kStalled:
      return "kStalled";
    case S::kDraining:
      return "kDraining";
    case S::kClosing:
      return "kClosing";
    case S::kClosed:
      return "kClosed";
  }
  return "?";
}

// The allowed transitions, row = from, column = to, in the order of kStates.
// clang-format off
constexpr bool kAllowed[7][7] = {
    //                 Awaiting Authing Open   Stalled Draining Closing Closed
    /* AwaitingAuth */ {false,  true,   true,  false,  true,    true,   false},
    /* Authenticating*/{false,  false,  true,  false,  false,   true,   false},
    /* Open */         {false,  true,   false, true,   true,    true,   false},
    /* Stalled */      {false,  false,  true,  false,  true,    true,   false},
    /* Draining */     {false,  false,  false, false,  false,   true,   false},
    /* Closing */      {false,  false,  false, false,  false,   false,  true},
    /* Closed */       {false,  false,  false, false,  false,   false,  false},
};
// clang-format on

}  // namespace

TEST_CASE("may_move allows exactly the transitions of the table", "[connection_state]") {
  int allowed = 0;
  for (std::size_t from = 0; from < kStates.size(); ++from) {
    for (std::size_t to = 0; to < kStates.size(); ++to) {
      INFO(name(kStates[from]) << " -> " << name(kStates[to]));
      CHECK(may_move(kStates[from], kStates[to]) == kAllowed[from][to]);
      allowed += may_move(kStates[from], kStates[to]) ? 1 : 0;
    }
  }
  CHECK(allowed == 15);
}

TEST_CASE("no state moves to itself, and every state but kClosed can reach kClosing", "[connection_state]") {
  for (const S state : kStates) {
    INFO(name(state));
    CHECK_FALSE(may_move(state, state));
    if (state != S::kClosing && state != S::kClosed) CHECK(may_move(state, S::kClosing));
  }
  // kClosed is final, and only kClosing leads to it.
  for (const S state : kStates) {
    INFO(name(state));
    CHECK_FALSE(may_move(S::kClosed, state));
    CHECK(may_move(state, S::kClosed) == (state == S::kClosing));
  }
}

TEST_CASE("may_move is usable at compile time", "[connection_state]") {
  static_assert(may_move(S::kOpen, S::kStalled));
  static_assert(may_move(S::kStalled, S::kOpen));
  static_assert(!may_move(S::kAuthenticating, S::kAwaitingAuth));
  static_assert(!may_move(S::kStalled, S::kAuthenticating));
  static_assert(!may_move(S::kDraining, S::kOpen));
  SUCCEED();
}

TEST_CASE("the socket is read only while awaiting authentication or open", "[connection_state]") {
  CHECK(reads_in(S::kAwaitingAuth));
  CHECK_FALSE(reads_in(S::kAuthenticating));
  CHECK(reads_in(S::kOpen));
  CHECK_FALSE(reads_in(S::kStalled));
  CHECK_FALSE(reads_in(S::kDraining));
  CHECK_FALSE(reads_in(S::kClosing));
  CHECK_FALSE(reads_in(S::kClosed));
}

TEST_CASE("is_closing covers kClosing and kClosed only", "[connection_state]") {
  for (const S state : kStates) {
    INFO(name(state));
    CHECK(is_closing(state) == (state == S::kClosing || state == S::kClosed));
  }
}
