// The client under resource exhaustion: out of file descriptors, Client::connect must fail with an
// error, not crash. Each case runs in a forked child, since the limit applies to the whole process.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/client/client_test_support.h"
#include "tests/support/skip.h"

using tern::client::Client;

namespace {

// Child exit codes.
constexpr int kReturnedError = 0;
constexpr int kConnected = 2;
constexpr int kNoLimit = 3;

// The lowest file descriptor number not in use: with RLIMIT_NOFILE set to it plus `spare`, at most
// `spare` more descriptors can be opened.
int lowest_free_fd() {
  const int fd = ::fcntl(0, F_DUPFD, 0);
  ::close(fd);
  return fd;
}

// Forks a child that connects with only `spare` descriptors left and reports the outcome by its exit
// code; returns the child's wait status, or -1 if it did not finish in time (it is then killed).
// With `warm`, the child makes a client first, so that libuv's one-time setup is done.
int connect_with_spare_fds(int spare, bool warm) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (warm && Client::connect("nats://127.0.0.1:1")) ::_exit(kConnected);
    const auto limit = static_cast<rlim_t>(lowest_free_fd() + spare);
    const rlimit tiny{limit, limit};
    if (::setrlimit(RLIMIT_NOFILE, &tiny) != 0) ::_exit(kNoLimit);
    // Nobody listens on port 1: with descriptors to spare, connect fails with kConnectionFailed too.
    auto client = Client::connect("nats://127.0.0.1:1");
    ::_exit(client ? kConnected : kReturnedError);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return status;
}

}  // namespace

TEST_CASE("connect returns an error when file descriptors run out", "[client][connect][limits]") {
#if defined(__SANITIZE_ADDRESS__)
  // The sanitizers' runtime needs descriptors of its own (UBSan's vptr check reports false errors
  // without them), so the children cannot tell the client's failures from the runtime's.
  TERN_SKIP("the sanitizers' runtime needs file descriptors of its own");
#endif
  // From no descriptor at all (the loop cannot be made) to a few (the loop, its async handle or the
  // socket fail), every step of the start must fail cleanly.
  const bool warm = GENERATE(false, true);
  for (int spare = 0; spare <= 8; ++spare) {
    INFO("descriptors to spare: " << spare << (warm ? ", libuv set up before" : ""));
    const int status = connect_with_spare_fds(spare, warm);
    REQUIRE(status != -1);
    CHECK_FALSE(WIFSIGNALED(status));
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == kReturnedError);
  }
}
