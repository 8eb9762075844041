// What the handles of a JetStream context share: the connection's engine, the options, and the window
// of asynchronous publishes waiting for their PubAck. Private to the library.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "client/error.h"
#include "client/headers.h"
#include "client/jetstream/jetstream.h"
#include "client/message.h"

namespace tern::client::jetstream::detail {

struct Context {
  Context(std::shared_ptr<client::detail::Core> core_in, Options options_in);

  // Sends a request and waits for its reply (not on the I/O thread: kWouldDeadlock there). A subject
  // without responders fails with client::Errc::kNoResponders.
  Expected<client::Message> request(std::string_view subject, const Headers* headers, std::string_view body,
                                    std::chrono::milliseconds timeout) const;
  // An API call: `suffix` after the prefix (`STREAM.INFO.ORDERS`). No responders means the server
  // has no JetStream: Errc::kNotEnabled.
  Expected<std::string> api(std::string_view suffix, std::string_view body) const;

  std::shared_ptr<client::detail::Core> core;
  const Options options;
  const std::string prefix;  // `$JS.API.` or `$JS.<domain>.API.`

  // The asynchronous publish window.
  std::mutex window_mu;
  std::condition_variable window_changed;
  std::size_t pending_acks = 0;
};

// True for a name the API accepts as one subject token: not empty, no `.`, `*`, `>` or white space.
bool is_valid_name(std::string_view name) noexcept;

}  // namespace tern::client::jetstream::detail
