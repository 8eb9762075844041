#include "bench/tools/requester_pool.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "protocol/frames.h"

namespace tern::bench {

RequesterPool::RequesterPool(const ServerAddress& address, const BenchOptions& options,
                             const std::string& tag)
    : options_(options), payload_(options.size, 'r') {
  const std::size_t count = std::max<std::size_t>(1, options.requesters);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
  requesters_.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    Requester& requester = requesters_[i];
    requester.sample.id = client_id('Q', i);
    requester.quota = options.msgs / count + (i < options.msgs % count ? 1 : 0);
    requester.inbox_prefix = "_INBOX." + tag + "." + std::to_string(i) + ".";
    requester.connection = std::make_unique<BenchConnection>(address);
    std::string sub;
    protocol::append_sub(sub, requester.inbox_prefix + "*", {}, "1");
    requester.connection->write_all(sub);
    requester.connection->round_trip();
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = i;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, requester.connection->fd(), &event) != 0) {
      throw std::runtime_error(std::string("epoll_ctl: ") + std::strerror(errno));
    }
  }
}

RequesterPool::~RequesterPool() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

void RequesterPool::send_request(Requester& requester) {
  requester.awaited_reply = requester.inbox_prefix;
  requester.awaited_reply += std::to_string(requester.sample.msgs);
  frame_.resize(
      protocol::pub_line_size(options_.subject, requester.awaited_reply, 0, payload_.size(), false));
  protocol::write_pub_line(frame_.data(), options_.subject, requester.awaited_reply, 0, payload_.size(),
                           false);
  frame_.append(payload_).append("\r\n");
  requester.sent_at = Clock::now();
  requester.connection->write_all(frame_);
}

bool RequesterPool::on_readable(Requester& requester, RunControl& control) {
  bool answered = false;
  bool no_responders = false;
  const ReadOutcome outcome = requester.connection->read_ops([&](const protocol::Op& op) {
    if (op.subject != requester.awaited_reply) return;
    // The server's no-responders status is an HMSG whose header block is `NATS/1.0 503`.
    if (op.kind == protocol::OpKind::kHmsg && op.payload.find(" 503") != std::string_view::npos)
      no_responders = true;
    answered = true;
  });
  if (outcome == ReadOutcome::kClosed) throw std::runtime_error(requester.connection->last_error());
  if (no_responders) throw std::runtime_error("the server reported no responders on " + options_.subject);
  if (!answered) return false;
  const Clock::time_point now = Clock::now();
  round_trips_.record(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now - requester.sent_at).count()));
  ++requester.sample.msgs;
  requester.sample.bytes += payload_.size();
  requester.sample.end = now;
  control.published.fetch_add(1, std::memory_order_relaxed);
  if (requester.sample.msgs >= requester.quota || control.should_stop()) return true;
  send_request(requester);
  return false;
}

void RequesterPool::run(RunControl& control, ProgressLine& progress) {
  std::size_t active = 0;
  for (Requester& requester : requesters_) {
    requester.sample.start = Clock::now();
    if (requester.quota == 0) {
      requester.done = true;
      continue;
    }
    send_request(requester);
    ++active;
  }
  epoll_event events[64];
  while (active > 0 && !control.should_stop()) {
    const int ready = epoll_wait(epoll_fd_, events, 64, 100);
    if (ready < 0 && errno != EINTR)
      throw std::runtime_error(std::string("epoll_wait: ") + std::strerror(errno));
    for (int i = 0; i < ready; ++i) {
      Requester& requester = requesters_[events[i].data.u64];
      if (requester.done) continue;
      if (on_readable(requester, control)) {
        requester.done = true;
        --active;
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, requester.connection->fd(), nullptr);
      }
    }
    progress.update(control.published.load(std::memory_order_relaxed),
                    control.published.load(std::memory_order_relaxed));
  }
}

std::vector<ClientSample> RequesterPool::samples() const {
  std::vector<ClientSample> samples;
  for (const Requester& requester : requesters_)
    samples.push_back(requester.sample);
  return samples;
}

}  // namespace tern::bench
