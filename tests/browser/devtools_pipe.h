// Headless Chromium driven through the DevTools protocol over a pipe (--remote-debugging-pipe): the
// browser reads NUL-terminated JSON commands from its fd 3 and writes responses and events to its fd 4.
// No WebSocket and no port: nothing else on the machine can talk to the browser.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tern::test {

class Chromium {
 public:
  // Starts `executable` headless with a fresh profile in a private temp dir, `extra_flags` after the
  // usual ones. Throws std::runtime_error when it cannot be started.
  Chromium(const std::string& executable, const std::vector<std::string>& extra_flags);
  ~Chromium();
  Chromium(const Chromium&) = delete;
  Chromium& operator=(const Chromium&) = delete;

  // Sends one command and waits for its answer; returns the answer's "result" object as JSON text.
  // `params` is a JSON object; `session` targets an attached page (empty: the browser). Events that
  // arrive meanwhile are kept for take_events(). Throws std::runtime_error on an error answer, on
  // timeout, or when the browser has gone.
  std::string call(std::string_view method, std::string_view params = "{}", std::string_view session = {},
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(15000));

  // The events (whole messages, JSON text) received so far, oldest first; empties the list.
  std::vector<std::string> take_events();

  // What the browser wrote to stdout and stderr, for failure messages.
  std::string log_text() const;

 private:
  // Reads whatever arrives within `timeout` and splits it into messages. Returns false on timeout or
  // when the browser closed the pipe.
  bool read_messages(std::chrono::milliseconds timeout, std::vector<std::string>& out);

  std::filesystem::path temp_dir_;
  pid_t pid_ = -1;
  int to_browser_ = -1;
  int from_browser_ = -1;
  long next_id_ = 1;
  std::string partial_;
  std::vector<std::string> events_;
};

}  // namespace tern::test
