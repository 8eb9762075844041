#include "client/jetstream/context.h"

#include <future>

#include "client/detail/core.h"
#include "client/jetstream/json_codec.h"

namespace tern::client::jetstream {
namespace detail {
namespace {

std::string api_prefix(const Options& options) {
  if (!options.domain.empty()) return "$JS." + options.domain + ".API.";
  std::string prefix = options.api_prefix.empty() ? "$JS.API." : options.api_prefix;
  if (prefix.back() != '.') prefix.push_back('.');
  return prefix;
}

}  // namespace

Context::Context(std::shared_ptr<client::detail::Core> core_in, Options options_in)
    : core(std::move(core_in)), options(std::move(options_in)), prefix(api_prefix(options)) {}

Expected<client::Message> Context::request(std::string_view subject, const Headers* headers,
                                           std::string_view body, std::chrono::milliseconds timeout) const {
  if (core->on_io_thread()) return client::Errc::kWouldDeadlock;
  auto promise = std::make_shared<std::promise<Expected<client::Message>>>();
  auto future = promise->get_future();
  core->request(
      subject, headers, body, timeout,
      [promise](Expected<client::Message> reply) { promise->set_value(std::move(reply)); }, false);
  return future.get();
}

Expected<std::string> Context::api(std::string_view suffix, std::string_view body) const {
  std::string subject = prefix;
  subject.append(suffix);
  Expected<client::Message> reply = request(subject, nullptr, body, options.timeout);
  if (!reply) {
    if (reply.error() == client::Errc::kNoResponders) return Errc::kNotEnabled;
    return reply.error();
  }
  return std::move(reply->data);
}

bool is_valid_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (const char c : name) {
    if (c == '.' || c == '*' || c == '>' || c == ' ' || c == '\t' || c == '\r' || c == '\n') return false;
  }
  return true;
}

}  // namespace detail

JetStream::JetStream(const Client& client, Options options)
    : context_(std::make_shared<detail::Context>(client::detail::core_of(client), std::move(options))) {}

// --- Streams. ---

namespace {

std::string with_name(std::string_view operation, std::string_view name) {
  std::string suffix(operation);
  suffix.push_back('.');
  suffix.append(name);
  return suffix;
}

template <typename T, typename Parse>
Expected<T> call(const detail::Context& context, std::string_view suffix, std::string_view body,
                 Parse parse) {
  Expected<std::string> reply = context.api(suffix, body);
  if (!reply) return reply.error();
  return parse(*reply);
}

std::error_code call_for_success(const detail::Context& context, std::string_view suffix,
                                 std::string_view body) {
  Expected<std::string> reply = context.api(suffix, body);
  if (!reply) return reply.error();
  return json::parse_error(*reply);
}

// Reads every page of a NAMES or LIST answer.
template <typename T, typename Parse>
Expected<std::vector<T>> all_pages(const detail::Context& context, std::string_view suffix,
                                   std::string_view subject_filter, Parse parse) {
  std::vector<T> items;
  for (;;) {
    Expected<std::string> reply =
        context.api(suffix, json::write_paged_request(items.size(), subject_filter));
    if (!reply) return reply.error();
    Expected<json::Page<T>> page = parse(*reply);
    if (!page) return page.error();
    const bool empty = page->items.empty();
    for (T& item : page->items)
      items.push_back(std::move(item));
    if (empty || items.size() >= page->total) return items;
  }
}

}  // namespace

Expected<StreamInfo> JetStream::add_stream(const StreamConfig& config) {
  if (!detail::is_valid_name(config.name)) return Errc::kInvalidName;
  return call<StreamInfo>(*context_, with_name("STREAM.CREATE", config.name),
                          json::write_stream_config(config), json::parse_stream_info);
}

Expected<StreamInfo> JetStream::update_stream(const StreamConfig& config) {
  if (!detail::is_valid_name(config.name)) return Errc::kInvalidName;
  return call<StreamInfo>(*context_, with_name("STREAM.UPDATE", config.name),
                          json::write_stream_config(config), json::parse_stream_info);
}

Expected<StreamInfo> JetStream::stream_info(std::string_view stream) {
  if (!detail::is_valid_name(stream)) return Errc::kInvalidName;
  return call<StreamInfo>(*context_, with_name("STREAM.INFO", stream), "", json::parse_stream_info);
}

std::error_code JetStream::delete_stream(std::string_view stream) {
  if (!detail::is_valid_name(stream)) return Errc::kInvalidName;
  return call_for_success(*context_, with_name("STREAM.DELETE", stream), "");
}

Expected<std::vector<std::string>> JetStream::stream_names(std::string_view subject_filter) {
  return all_pages<std::string>(*context_, "STREAM.NAMES", subject_filter, json::parse_stream_names);
}

Expected<std::vector<StreamInfo>> JetStream::streams() {
  return all_pages<StreamInfo>(*context_, "STREAM.LIST", {}, json::parse_stream_list);
}

Expected<std::uint64_t> JetStream::purge_stream(std::string_view stream, const PurgeOptions& options) {
  if (!detail::is_valid_name(stream)) return Errc::kInvalidName;
  return call<std::uint64_t>(*context_, with_name("STREAM.PURGE", stream), json::write_purge_request(options),
                             json::parse_purge_response);
}

Expected<StoredMessage> JetStream::get_message(std::string_view stream, std::uint64_t sequence) {
  if (!detail::is_valid_name(stream)) return Errc::kInvalidName;
  return call<StoredMessage>(*context_, with_name("STREAM.MSG.GET", stream),
                             json::write_message_get(sequence, {}), json::parse_stored_message);
}

Expected<StoredMessage> JetStream::get_last_message(std::string_view stream, std::string_view subject) {
  if (!detail::is_valid_name(stream)) return Errc::kInvalidName;
  return call<StoredMessage>(*context_, with_name("STREAM.MSG.GET", stream),
                             json::write_message_get(0, subject), json::parse_stored_message);
}

std::error_code JetStream::delete_message(std::string_view stream, std::uint64_t sequence, bool erase) {
  if (!detail::is_valid_name(stream)) return Errc::kInvalidName;
  return call_for_success(*context_, with_name("STREAM.MSG.DELETE", stream),
                          json::write_message_delete(sequence, erase));
}

Expected<AccountInfo> JetStream::account_info() {
  return call<AccountInfo>(*context_, "INFO", "", json::parse_account_info);
}

// --- Consumers. ---

namespace {

// A durable is created through the legacy DURABLE.CREATE, as nats.go 1.2x and libnats 3.4 send it and
// every 2.9 server accepts; a named ephemeral through CONSUMER.CREATE.<stream>.<name>, and an unnamed
// one through CONSUMER.CREATE.<stream>.
std::string create_suffix(std::string_view stream, const ConsumerConfig& config) {
  if (!config.durable_name.empty())
    return "CONSUMER.DURABLE.CREATE." + std::string(stream) + "." + config.durable_name;
  if (!config.name.empty()) return "CONSUMER.CREATE." + std::string(stream) + "." + config.name;
  return "CONSUMER.CREATE." + std::string(stream);
}

}  // namespace

Expected<ConsumerInfo> JetStream::add_consumer(std::string_view stream, const ConsumerConfig& config) {
  if (!detail::is_valid_name(stream)) return Errc::kInvalidName;
  if ((!config.durable_name.empty() && !detail::is_valid_name(config.durable_name)) ||
      (!config.name.empty() && !detail::is_valid_name(config.name))) {
    return Errc::kInvalidName;
  }
  return call<ConsumerInfo>(*context_, create_suffix(stream, config),
                            json::write_consumer_create(stream, config), json::parse_consumer_info);
}

Expected<ConsumerInfo> JetStream::update_consumer(std::string_view stream, const ConsumerConfig& config) {
  if (config.durable_name.empty() && config.name.empty()) return client::Errc::kInvalidArgument;
  return add_consumer(stream, config);
}

Expected<ConsumerInfo> JetStream::consumer_info(std::string_view stream, std::string_view consumer) {
  if (!detail::is_valid_name(stream) || !detail::is_valid_name(consumer)) return Errc::kInvalidName;
  return call<ConsumerInfo>(*context_, "CONSUMER.INFO." + std::string(stream) + "." + std::string(consumer),
                            "", json::parse_consumer_info);
}

std::error_code JetStream::delete_consumer(std::string_view stream, std::string_view consumer) {
  if (!detail::is_valid_name(stream) || !detail::is_valid_name(consumer)) return Errc::kInvalidName;
  return call_for_success(*context_, "CONSUMER.DELETE." + std::string(stream) + "." + std::string(consumer),
                          "");
}

Expected<std::vector<std::string>> JetStream::consumer_names(std::string_view stream) {
  if (!detail::is_valid_name(stream)) return Errc::kInvalidName;
  return all_pages<std::string>(*context_, with_name("CONSUMER.NAMES", stream), {},
                                json::parse_consumer_names);
}

Expected<std::vector<ConsumerInfo>> JetStream::consumers(std::string_view stream) {
  if (!detail::is_valid_name(stream)) return Errc::kInvalidName;
  return all_pages<ConsumerInfo>(*context_, with_name("CONSUMER.LIST", stream), {},
                                 json::parse_consumer_list);
}

}  // namespace tern::client::jetstream
