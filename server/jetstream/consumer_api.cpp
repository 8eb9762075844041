// The consumer requests of `$JS.API.>`: CONSUMER.CREATE (three subject forms) and the legacy
// DURABLE.CREATE, INFO, DELETE, NAMES, LIST, and MSG.NEXT, with nats-server 2.9.10's checks in its order
// (jetstream_api.go jsConsumerCreateRequest and friends, consumer.go addConsumerWithAssignment).
#include <algorithm>

#include "server/jetstream/api_request.h"
#include "server/jetstream/consumer_json.h"
#include "server/jetstream/consumer_meta.h"
#include "server/jetstream/go_json.h"
#include "server/jetstream/stream_files.h"
#include "server/log.h"
#include "server/pool_task.h"

namespace tern::server::jetstream {

namespace {

constexpr std::string_view kConsumerMetaFile = "meta.json";

}  // namespace

std::optional<std::pair<std::string_view, std::string_view>> ApiRequest::stream_and_consumer(
    std::string_view rest) {
  const std::size_t dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  const std::string_view stream = rest.substr(0, dot);
  const std::string_view consumer = rest.substr(dot + 1);
  if (consumer.empty() || consumer.find('.') != std::string_view::npos) return std::nullopt;
  return std::make_pair(stream, consumer);
}

void ApiRequest::consumer_create() {
  const std::optional<ConsumerCreateSubject> target = parse_consumer_create_subject(subject_);
  if (!target) return;
  std::string request_stream;
  ConsumerConfig config;
  if (auto error = parse_create_consumer_request(body_, request_stream, config))
    return respond_error(kConsumerCreateResponseType, *error);
  if (auto error = check_consumer_create_request(*target, request_stream, config))
    return respond_error(kConsumerCreateResponseType, *error);
  auto stream = find(target->stream);
  if (stream == nullptr) return respond_error(kConsumerCreateResponseType, api_errors::stream_not_found());
  if (auto error = prepare_consumer_config(config, stream->config()))
    return respond_error(kConsumerCreateResponseType, *error);
  stamp_inactive_threshold(config);

  std::string name = !config.durable_name.empty() ? config.durable_name : config.name;
  if (!name.empty()) {
    if (auto existing = stream->find_consumer(name)) {
      if (existing->config() == config)
        return respond(consumer_create_response(existing->info(JetStream::now_ns())));
      const bool old_subject_listened =
          !existing->config().deliver_subject.empty() && js_.has_interest(existing->config().deliver_subject);
      if (auto error = check_consumer_update(existing->config(), config, old_subject_listened))
        return respond_error(kConsumerCreateResponseType, *error);
      const bool persisted = existing->is_persisted();
      existing->update(std::move(config), JetStream::now_ns());
      return respond_consumer_created(stream, existing, persisted);
    }
  }
  std::vector<const ConsumerConfig*> existing;
  for (const auto& [other_name, other] : stream->consumers())
    existing.push_back(&other->config());
  if (auto error = check_new_consumer(config, name, stream->config(), existing))
    return respond_error(kConsumerCreateResponseType, *error);
  if (name.empty()) {
    do {
      name = make_ephemeral_name();
    } while (stream->find_consumer(name) != nullptr);
  }
  const std::int64_t now = JetStream::now_ns();
  auto consumer =
      std::make_shared<Consumer>(js_, *stream, name, std::move(config), now, js_.next_consumer_id());
  const bool persisted = consumer->is_persisted();
  if (persisted) {
    const std::string dir = consumer->directory();
    std::string failure = make_directories(dir);
    if (failure.empty())
      failure = replace_file(dir, kConsumerMetaFile, encode_consumer_meta(consumer->config(), now));
    if (!failure.empty()) {
      js_.log().error("JetStream could not store consumer '" + name + "': " + failure);
      remove_tree(dir);
      return respond_error(kConsumerCreateResponseType, api_errors::consumer_store_failed(failure));
    }
  }
  js_.register_consumer(consumer);
  stream->add_consumer(consumer);
  if (!consumer->start(nullptr, now)) {
    js_.delete_consumer(*stream, name, true);
    return respond_error(kConsumerCreateResponseType,
                         api_errors::consumer_create("could not subscribe the consumer's subjects"));
  }
  respond_consumer_created(stream, consumer, persisted);
}

// The create reply waits for the consumer's metadata to be durable, as a stream create's does.
void ApiRequest::respond_consumer_created(const std::shared_ptr<Stream>& stream,
                                          const std::shared_ptr<Consumer>& consumer, bool persist_meta) {
  if (!persist_meta) return respond(consumer_create_response(consumer->info(JetStream::now_ns())));
  const std::string dir = consumer->directory();
  if (std::string failure = replace_file(dir, kConsumerMetaFile,
                                         encode_consumer_meta(consumer->config(), consumer->created_ns()));
      !failure.empty()) {
    js_.log().error("JetStream could not store consumer '" + consumer->name() + "': " + failure);
  }
  const std::string stream_dir = js_.root() + "/" + stream->name();
  std::weak_ptr<Consumer> weak = consumer;
  reply_after_sync(
      [dir, stream_dir] {
        std::string error = sync_file_and_directory(dir, kConsumerMetaFile);
        if (error.empty()) error = sync_file_and_directory(stream_dir + "/obs", ".");
        return error;
      },
      {},
      [weak](const Stream*) {
        auto alive = weak.lock();
        return alive != nullptr
                   ? consumer_create_response(alive->info(JetStream::now_ns()))
                   : error_response(kConsumerCreateResponseType, api_errors::consumer_not_found());
      });
}

void ApiRequest::consumer_info(std::string_view rest) {
  const auto names = stream_and_consumer(rest);
  if (!names) return;
  if (!go_json::is_empty_request(body_))
    return respond_error(kConsumerInfoResponseType, api_errors::not_empty_request());
  auto stream = find(names->first);
  if (stream == nullptr) return respond_error(kConsumerInfoResponseType, api_errors::stream_not_found());
  auto consumer = stream->find_consumer(names->second);
  if (consumer == nullptr) return respond_error(kConsumerInfoResponseType, api_errors::consumer_not_found());
  respond(consumer_info_response(consumer->info(JetStream::now_ns())));
}

void ApiRequest::consumer_delete(std::string_view rest) {
  const auto names = stream_and_consumer(rest);
  if (!names) return;
  if (!go_json::is_empty_request(body_))
    return respond_error(kConsumerDeleteResponseType, api_errors::not_empty_request());
  auto stream = find(names->first);
  if (stream == nullptr) return respond_error(kConsumerDeleteResponseType, api_errors::stream_not_found());
  if (stream->find_consumer(names->second) == nullptr)
    return respond_error(kConsumerDeleteResponseType, api_errors::consumer_not_found());
  js_.delete_consumer(*stream, std::string(names->second), true);
  respond(consumer_delete_response());
}

void ApiRequest::consumer_names(std::string_view stream_name) {
  std::int64_t offset = 0;
  if (auto error = parse_consumer_names_request(body_, offset))
    return respond_error_body(consumer_names_error(*error));
  auto stream = find(stream_name);
  if (stream == nullptr) return respond_error_body(consumer_names_error(api_errors::stream_not_found()));
  const auto total = static_cast<std::int64_t>(stream->consumers().size());
  offset = std::clamp<std::int64_t>(offset, 0, total);
  std::vector<std::string> names;
  std::int64_t index = 0;
  for (const auto& [name, consumer] : stream->consumers()) {
    if (index++ < offset) continue;
    if (static_cast<std::int64_t>(names.size()) >= kConsumerNamesLimit) break;
    names.push_back(name);
  }
  respond(consumer_names_response(total, offset, names));
}

void ApiRequest::consumer_list(std::string_view stream_name) {
  std::int64_t offset = 0;
  if (auto error = parse_consumer_names_request(body_, offset))
    return respond_error_body(consumer_list_error(*error));
  auto stream = find(stream_name);
  if (stream == nullptr) return respond_error_body(consumer_list_error(api_errors::stream_not_found()));
  const auto total = static_cast<std::int64_t>(stream->consumers().size());
  offset = std::clamp<std::int64_t>(offset, 0, total);
  std::vector<ConsumerInfoView> infos;
  std::int64_t index = 0;
  const std::int64_t now = JetStream::now_ns();
  for (const auto& [name, consumer] : stream->consumers()) {
    if (index++ < offset) continue;
    if (static_cast<std::int64_t>(infos.size()) >= kConsumerListLimit) break;
    infos.push_back(consumer->info(now));
  }
  respond(consumer_list_response(total, offset, infos));
}

void ApiRequest::consumer_next(std::string_view rest) {
  const auto names = stream_and_consumer(rest);
  if (!names || reply_.empty()) return;
  auto stream = find(names->first);
  if (stream == nullptr) return;
  auto consumer = stream->find_consumer(names->second);
  if (consumer == nullptr) return;
  consumer->process_next_request(reply_, body_, JetStream::now_ns());
}

}  // namespace tern::server::jetstream
