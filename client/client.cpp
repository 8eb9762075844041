#include "client/client.h"

#include "client/detail/core.h"
#include "client/server_pool.h"

namespace tern::client {

std::shared_ptr<detail::Core> detail::core_of(const Client& client) {
  if (!client.core_) throw std::logic_error("tern::client::Client: used after being moved from");
  return client.core_;
}

Subscription detail::make_subscription(std::shared_ptr<Core> core, std::shared_ptr<SubState> state) {
  return Subscription(std::move(core), std::move(state));
}

// --- Subscription ---

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    unsubscribe();
    core_ = std::move(other.core_);
    state_ = std::move(other.state_);
  }
  return *this;
}

Subscription::~Subscription() {
  unsubscribe();
}

std::error_code Subscription::unsubscribe() {
  if (!state_) return {};
  std::error_code error = core_->unsubscribe(*state_, 0);
  // The handler stays alive through the state until the I/O thread lets go of it too.
  state_.reset();
  core_.reset();
  return error;
}

std::error_code Subscription::auto_unsubscribe(std::uint64_t max_messages) {
  if (!state_) return make_error_code(Errc::kInvalidArgument);
  if (max_messages == 0) return unsubscribe();
  return core_->unsubscribe(*state_, max_messages);
}

const std::string& Subscription::subject() const {
  if (!state_) throw std::logic_error("tern::client::Subscription: no subscription");
  return state_->subject;
}

const std::string& Subscription::queue() const {
  if (!state_) throw std::logic_error("tern::client::Subscription: no subscription");
  return state_->queue;
}

std::uint64_t Subscription::sid() const {
  if (!state_) throw std::logic_error("tern::client::Subscription: no subscription");
  return state_->sid;
}

// --- Client ---

Expected<Client> Client::connect(Options options) {
  auto pool = ServerPool::from_options(options);
  if (!pool) return pool.error();
  auto core = std::make_shared<detail::Core>(std::move(options), std::move(*pool));
  if (const std::error_code error = core->start()) {
    core->shutdown_from_owner();
    return error;
  }
  return Client(std::move(core));
}

Expected<Client> Client::connect(std::string_view url) {
  Options options;
  options.servers = {std::string(url)};
  return connect(std::move(options));
}

Client& Client::operator=(Client&& other) noexcept {
  if (this != &other) {
    if (core_) core_->shutdown_from_owner();
    core_ = std::move(other.core_);
  }
  return *this;
}

Client::~Client() {
  if (core_) core_->shutdown_from_owner();
}

detail::Core& Client::core() const {
  if (!core_) throw std::logic_error("tern::client::Client: used after being moved from");
  return *core_;
}

std::error_code Client::publish(std::string_view subject, std::string_view data) {
  return core().publish(subject, {}, nullptr, data);
}

std::error_code Client::publish(std::string_view subject, std::string_view reply, std::string_view data) {
  return core().publish(subject, reply, nullptr, data);
}

std::error_code Client::publish(std::string_view subject, const Headers& headers, std::string_view data) {
  return core().publish(subject, {}, &headers, data);
}

std::error_code Client::publish(std::string_view subject, std::string_view reply, const Headers& headers,
                                std::string_view data) {
  return core().publish(subject, reply, &headers, data);
}

Expected<Subscription> Client::subscribe(std::string_view subject, MessageHandler handler) {
  return queue_subscribe(subject, {}, std::move(handler));
}

Expected<Subscription> Client::queue_subscribe(std::string_view subject, std::string_view queue,
                                               MessageHandler handler) {
  auto state = core().subscribe(subject, queue, std::move(handler), 0);
  if (!state) return state.error();
  return Subscription(core_, std::move(*state));
}

namespace {

std::future<Expected<Message>> request_future(detail::Core& core, std::string_view subject,
                                              const Headers* headers, std::string_view data,
                                              std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<Expected<Message>>>();
  std::future<Expected<Message>> future = promise->get_future();
  core.request(
      subject, headers, data, timeout,
      [promise](Expected<Message> reply) { promise->set_value(std::move(reply)); }, false);
  return future;
}

}  // namespace

std::future<Expected<Message>> Client::request(std::string_view subject, std::string_view data,
                                               std::chrono::milliseconds timeout) {
  return request_future(core(), subject, nullptr, data, timeout);
}

std::future<Expected<Message>> Client::request(std::string_view subject, const Headers& headers,
                                               std::string_view data, std::chrono::milliseconds timeout) {
  return request_future(core(), subject, &headers, data, timeout);
}

void Client::request(std::string_view subject, std::string_view data, std::chrono::milliseconds timeout,
                     ReplyHandler handler) {
  if (!handler) throw std::invalid_argument("tern::client::Client::request: empty handler");
  core().request(subject, nullptr, data, timeout, std::move(handler), true);
}

void Client::request(std::string_view subject, const Headers& headers, std::string_view data,
                     std::chrono::milliseconds timeout, ReplyHandler handler) {
  if (!handler) throw std::invalid_argument("tern::client::Client::request: empty handler");
  core().request(subject, &headers, data, timeout, std::move(handler), true);
}

std::error_code Client::flush(std::chrono::milliseconds timeout) {
  return core().flush(timeout);
}

void Client::flush(std::chrono::milliseconds timeout, std::function<void(std::error_code)> handler) {
  if (!handler) throw std::invalid_argument("tern::client::Client::flush: empty handler");
  core().flush_async(timeout, std::move(handler), true);
}

std::error_code Client::drain(std::chrono::milliseconds timeout) {
  return core().drain(timeout);
}

void Client::close() {
  core().close();
}

Status Client::status() const {
  return core().state();
}

std::error_code Client::close_reason() const {
  return core().last_error();
}

std::string Client::connected_url() const {
  return core().connected_url();
}

protocol::ServerInfo Client::server_info() const {
  return core().server_info();
}

Statistics Client::statistics() const {
  return core().statistics();
}

std::string Client::new_inbox() {
  return core().new_inbox();
}

}  // namespace tern::client
