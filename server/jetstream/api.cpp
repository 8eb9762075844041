// The `$JS.API.>` requests: which handler a subject reaches, and each handler's checks in
// nats-server's order (jetstream_api.go). The JSON of requests and replies is in api_json.h and
// stream_config.h; the durable file work of create, update and delete runs on the thread pool, and the
// reply goes out once it is done.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>

#include "protocol/subject.h"
#include "server/jetstream/api_json.h"
#include "server/jetstream/api_request.h"
#include "server/jetstream/api_requests.h"
#include "server/jetstream/go_json.h"
#include "server/jetstream/jetstream.h"
#include "server/jetstream/message_json.h"
#include "server/jetstream/stream_config_check.h"
#include "server/jetstream/stream_files.h"
#include "server/jetstream/stream_meta.h"
#include "server/jetstream/subjects.h"
#include "server/log.h"
#include "server/pool_task.h"

namespace tern::server::jetstream {

namespace {

constexpr std::string_view kApiPrefix = "$JS.API.";

// "A.B.C" -> the text after `prefix`, when the subject has that prefix and something after it.
std::optional<std::string_view> after(std::string_view subject, std::string_view prefix) {
  if (subject.size() <= prefix.size() || subject.substr(0, prefix.size()) != prefix) return std::nullopt;
  return subject.substr(prefix.size());
}

// A stream name taken from a subject's last token(s): nats-server takes the token after the prefix
// and refuses names with further dots by not matching its subscription ("$JS.API.STREAM.INFO.*").
std::optional<std::string_view> single_token(std::string_view rest) {
  if (rest.empty() || rest.find('.') != std::string_view::npos) return std::nullopt;
  return rest;
}

}  // namespace

void JetStream::handle_api(const RoutedMessage& msg) {
  ApiRequest request(*this, msg);
  request.dispatch();
}

void ApiRequest::dispatch() {
  const std::optional<std::string_view> rest = after(subject_, kApiPrefix);
  if (!rest) return;
  if (*rest == "INFO") return account_info();
  if (*rest == "STREAM.NAMES") return stream_names();
  if (*rest == "STREAM.LIST") return stream_list();
  // Pull requests are a consumer's own subscription in nats-server, not API requests: not counted.
  if (auto next = after(*rest, "CONSUMER.MSG.NEXT.")) return consumer_next(*next);
  if (rest->starts_with("CONSUMER.CREATE.") || rest->starts_with("CONSUMER.DURABLE.CREATE."))
    return consumer_create();
  if (auto names = after(*rest, "CONSUMER.NAMES.")) {
    if (auto token = single_token(*names)) consumer_names(*token);
    return;
  }
  if (auto list = after(*rest, "CONSUMER.LIST.")) {
    if (auto token = single_token(*list)) consumer_list(*token);
    return;
  }
  if (auto info = after(*rest, "CONSUMER.INFO.")) return consumer_info(*info);
  if (auto del = after(*rest, "CONSUMER.DELETE.")) return consumer_delete(*del);
  struct Route {
    std::string_view prefix;
    void (ApiRequest::*handler)(std::string_view);
  };
  static constexpr Route kRoutes[] = {
      {"STREAM.CREATE.", &ApiRequest::stream_create},  {"STREAM.UPDATE.", &ApiRequest::stream_update},
      {"STREAM.INFO.", &ApiRequest::stream_info},      {"STREAM.DELETE.", &ApiRequest::stream_delete},
      {"STREAM.PURGE.", &ApiRequest::stream_purge},    {"STREAM.MSG.GET.", &ApiRequest::msg_get},
      {"STREAM.MSG.DELETE.", &ApiRequest::msg_delete},
  };
  for (const Route& route : kRoutes) {
    if (auto name = after(*rest, route.prefix)) {
      if (auto token = single_token(*name)) (this->*route.handler)(*token);
      return;
    }
  }
  // Anything else (direct gets of streams without allow_direct, templates): nats-server
  // has no handler for it in a standalone server without them, and stays silent.
}

// Whether a stream has files: memory streams, as in nats-server, live only in the process.
static bool is_persisted(const StreamConfig& config) {
  return config.storage != StorageType::kMemory;
}

static StreamInfoView info_view(const Stream& stream) {
  StreamInfoView view;
  view.config = &stream.config();
  view.created_ns = stream.created_ns();
  view.state = stream.store().state();
  view.consumer_count = static_cast<std::int64_t>(stream.consumers().size());
  return view;
}

void ApiRequest::account_info() {
  AccountInfo info;
  info.memory = js_.memory_bytes();
  info.storage = js_.storage_bytes();
  info.streams = static_cast<std::int64_t>(js_.streams_.size());
  info.consumers = static_cast<std::int64_t>(js_.consumer_count());
  info.api_total = js_.api_.total;
  info.api_errors = js_.api_.errors;
  // Counted once its figures are taken, as nats-server tracks it when sending.
  respond(account_info_response(info));
}

// Runs `sync` on the pool, then answers the request with `answer` (given the stream, or null when it
// went away meanwhile). The reply waits for the sync: create, update and delete reply only once their
// metadata is durable.
void ApiRequest::reply_after_sync(std::function<std::string()> sync, std::weak_ptr<Stream> weak,
                                  std::function<std::string(const Stream*)> answer) {
  ++js_.api_.total;
  JetStream& js = js_;
  std::string reply = std::move(reply_);
  run_on_pool(
      js_.loop(), std::move(sync),
      [&js, reply = std::move(reply), weak = std::move(weak), answer = std::move(answer)](std::string error) {
        if (!error.empty()) js.log().error("JetStream could not make its metadata durable: " + error);
        if (reply.empty()) return;
        auto stream = weak.lock();
        js.send(reply, {}, answer(stream.get()));
      });
}

void ApiRequest::stream_create(std::string_view name) {
  StreamConfig config;
  if (auto error = parse_stream_config(body_, config))
    return respond_error(kStreamCreateResponseType, *error);
  if (auto error = prepare_stream_create(name, config))
    return respond_error(kStreamCreateResponseType, *error);
  if (auto existing = find(config.name)) {
    if (existing->config() == config) return respond(stream_create_response(info_view(*existing)));
    return respond_error(kStreamCreateResponseType, api_errors::stream_name_exist());
  }
  if (auto error = check_stream_create_supported(config))
    return respond_error(kStreamCreateResponseType, *error);
  for (const auto& [other_name, other] : js_.streams_) {
    if (subjects_overlap(config.subjects, other->config().subjects))
      return respond_error(kStreamCreateResponseType, api_errors::subject_overlap());
  }
  const std::string dir = js_.root() + "/" + config.name;
  const std::int64_t created = JetStream::now_ns();
  // A file stream's directory and meta.json are written here (into the kernel), so that no PubAck can
  // precede them; the syncs that make them durable run on the pool, and the reply waits for them. A
  // memory stream keeps nothing on disk: as in nats-server, it does not outlive the process.
  const bool persisted = is_persisted(config);
  std::string failure = persisted ? make_directories(dir) : std::string();
  if (failure.empty() && persisted)
    failure = replace_file(dir, kMetaFileName, encode_stream_meta(config, created));
  std::unique_ptr<stream::StreamStore> store;
  if (failure.empty()) {
    stream::StoreError error;
    stream::RecoveryReport report;
    store = open_stream_store(config, dir, created, report, error);
    if (store == nullptr) failure = error.message;
  }
  if (!failure.empty()) {
    js_.log().warn("Stream create failed for '$G > " + config.name + "': " + failure);
    if (persisted) remove_tree(dir);
    return respond_error(kStreamCreateResponseType,
                         api_errors::stream_create("error creating store for stream"));
  }
  auto created_stream = std::make_shared<Stream>(js_, std::move(config), created, std::move(store));
  if (!created_stream->capture(js_.client())) {
    if (persisted) remove_tree(dir);
    return respond_error(kStreamCreateResponseType,
                         api_errors::stream_create("could not subscribe the stream's subjects"));
  }
  js_.streams_.emplace(created_stream->name(), created_stream);
  if (!persisted) return respond(stream_create_response(info_view(*created_stream)));
  const std::string root = js_.root();
  reply_after_sync(
      [dir, root] {
        std::string error = sync_file_and_directory(dir, kMetaFileName);
        if (error.empty()) error = sync_file_and_directory(root, ".");
        return error;
      },
      created_stream,
      [](const Stream* stream) {
        return stream != nullptr ? stream_create_response(info_view(*stream))
                                 : error_response(kStreamCreateResponseType, api_errors::stream_not_found());
      });
}

void ApiRequest::stream_update(std::string_view name) {
  StreamConfig config;
  if (auto error = parse_stream_config(body_, config))
    return respond_error(kStreamUpdateResponseType, *error);
  if (auto error = prepare_stream_update(name, config))
    return respond_error(kStreamUpdateResponseType, *error);
  auto existing = find(config.name);
  if (existing == nullptr) return respond_error(kStreamUpdateResponseType, api_errors::stream_not_found());
  if (auto error = check_stream_update(existing->config(), config))
    return respond_error(kStreamUpdateResponseType, *error);
  for (const auto& [other_name, other] : js_.streams_) {
    if (other != existing && subjects_overlap(config.subjects, other->config().subjects))
      return respond_error(kStreamUpdateResponseType, api_errors::subject_overlap());
  }
  const std::string dir = js_.root() + "/" + config.name;
  const bool persisted = is_persisted(config);
  if (std::string failure =
          persisted ? replace_file(dir, kMetaFileName, encode_stream_meta(config, existing->created_ns()))
                    : "";
      !failure.empty()) {
    js_.log().error("JetStream could not write the configuration of '" + config.name + "': " + failure);
    return respond_error(kStreamUpdateResponseType, api_errors::stream_update(failure));
  }
  if (std::string failure = existing->update(std::move(config), js_.client(), JetStream::now_ns());
      !failure.empty()) {
    return respond_error(kStreamUpdateResponseType, api_errors::stream_update(failure));
  }
  if (!persisted) return respond(stream_update_response(info_view(*existing)));
  reply_after_sync([dir] { return sync_file_and_directory(dir, kMetaFileName); }, existing,
                   [](const Stream* stream) {
                     return stream != nullptr
                                ? stream_update_response(info_view(*stream))
                                : error_response(kStreamUpdateResponseType, api_errors::stream_not_found());
                   });
}

void ApiRequest::stream_info(std::string_view name) {
  StreamInfoRequest request;
  if (auto error = parse_stream_info_request(body_, request))
    return respond_error_body(stream_info_error(*error));
  auto stream = find(name);
  if (stream == nullptr) return respond_error_body(stream_info_error(api_errors::stream_not_found()));
  const StreamInfoView view = info_view(*stream);
  if (request.subjects_filter.empty()) return respond(stream_info_response(view));
  SubjectDetails details;
  const std::string_view filter =
      request.subjects_filter == ">" ? std::string_view{} : std::string_view(request.subjects_filter);
  stream->store().for_each_subject(filter, [&](std::string_view subject, const stream::SubjectState& state) {
    details.subjects.emplace_back(subject, state.msgs);
    return true;
  });
  if (details.subjects.empty()) return respond(stream_info_response(view));
  std::sort(details.subjects.begin(), details.subjects.end());
  details.total = static_cast<std::int64_t>(details.subjects.size());
  details.offset = std::clamp<std::int64_t>(request.offset, 0, details.total);
  const auto first = details.subjects.begin() + details.offset;
  const auto end = first + std::min<std::int64_t>(kSubjectDetailsLimit, details.subjects.end() - first);
  details.subjects = {first, end};
  respond(stream_info_response(view, &details));
}

void ApiRequest::stream_delete(std::string_view name) {
  if (!go_json::is_empty_request(body_))
    return respond_error(kStreamDeleteResponseType, api_errors::not_empty_request());
  auto stream = find(name);
  if (stream == nullptr) return respond_error(kStreamDeleteResponseType, api_errors::stream_not_found());
  stream->flush();
  stream->release(js_.client());
  // Its consumers go with it (their files with the stream's directory).
  std::vector<std::string> consumer_names;
  for (const auto& [consumer_name, consumer] : stream->consumers())
    consumer_names.push_back(consumer_name);
  for (const std::string& consumer_name : consumer_names)
    js_.delete_consumer(*stream, consumer_name, false);
  js_.streams_.erase(stream->name());
  js_.update_usage();
  if (!is_persisted(stream->config())) return respond(stream_delete_response());
  // The directory leaves the store at once (a rename), so that a restart cannot bring the stream back
  // once the reply has gone; its files are removed on the pool.
  const std::string dir = js_.root() + "/" + stream->name();
  const std::string doomed =
      js_.root() + "/.deleted-" + stream->name() + "-" + std::to_string(JetStream::now_ns());
  stream.reset();
  if (::rename(dir.c_str(), doomed.c_str()) != 0) {
    const std::string failure = "rename " + dir + ": " + std::strerror(errno);
    js_.log().error("JetStream could not delete stream '" + std::string(name) + "': " + failure);
    return respond_error(kStreamDeleteResponseType, api_errors::stream_delete(failure));
  }
  const std::string root = js_.root();
  reply_after_sync(
      [doomed, root] {
        std::string error = sync_file_and_directory(root, ".");
        std::string removed = remove_tree(doomed);
        return error.empty() ? removed : error;
      },
      {}, [](const Stream*) { return stream_delete_response(); });
}

// The streams, in name order, whose subjects overlap `filter` (all when empty).
static std::vector<std::shared_ptr<Stream>> filtered_streams(
    const std::map<std::string, std::shared_ptr<Stream>>& streams, const std::string& filter) {
  std::vector<std::shared_ptr<Stream>> out;
  for (const auto& [name, stream] : streams) {
    if (filter.empty() || filter == ">" || subjects_overlap({filter}, stream->config().subjects))
      out.push_back(stream);
  }
  return out;
}

void ApiRequest::stream_names() {
  StreamNamesRequest request;
  if (auto error = parse_stream_names_request(body_, request))
    return respond_error_body(stream_names_error(*error));
  const auto streams = filtered_streams(js_.streams_, request.subject);
  const auto total = static_cast<std::int64_t>(streams.size());
  const std::int64_t offset = std::clamp<std::int64_t>(request.offset, 0, total);
  std::vector<std::string> names;
  for (std::int64_t i = offset; i < total && static_cast<std::int64_t>(names.size()) < kStreamNamesLimit; ++i)
    names.push_back(streams[static_cast<std::size_t>(i)]->name());
  respond(stream_names_response(total, offset, names));
}

void ApiRequest::stream_list() {
  StreamNamesRequest request;
  if (auto error = parse_stream_names_request(body_, request))
    return respond_error_body(stream_list_error(*error));
  const auto streams = filtered_streams(js_.streams_, request.subject);
  const auto total = static_cast<std::int64_t>(streams.size());
  const std::int64_t offset = std::clamp<std::int64_t>(request.offset, 0, total);
  std::vector<StreamInfoView> infos;
  for (std::int64_t i = offset; i < total && static_cast<std::int64_t>(infos.size()) < kStreamListLimit; ++i)
    infos.push_back(info_view(*streams[static_cast<std::size_t>(i)]));
  respond(stream_list_response(total, offset, infos));
}

void ApiRequest::stream_purge(std::string_view name) {
  StreamPurgeRequest parsed;
  if (auto error = parse_stream_purge_request(body_, parsed))
    return respond_error_body(stream_purge_error(*error));
  auto stream = find(name);
  if (stream == nullptr) return respond_error_body(stream_purge_error(api_errors::stream_not_found()));
  if (stream->config().sealed) return respond_error_body(stream_purge_error(api_errors::stream_sealed()));
  if (stream->config().deny_purge)
    return respond_error_body(
        stream_purge_error(api_errors::stream_purge_failed("stream purge not permitted")));
  stream::PurgeRequest request;
  request.filter = parsed.filter;
  request.upto_seq = parsed.seq;
  request.keep = parsed.keep;
  stream::StoreError error;
  const std::uint64_t purged = stream->purge(request, error);
  // As nats-server, a failure of the store itself is a response, not counted as an API error.
  if (error) return respond(stream_purge_error(api_errors::stream_general(error.message)));
  js_.update_usage();
  respond(stream_purge_response(purged));
}

void ApiRequest::msg_get(std::string_view name) {
  MsgGetRequest request;
  if (auto error = parse_msg_get_request(body_, request)) return respond_error(kMsgGetResponseType, *error);
  auto stream = find(name);
  if (stream == nullptr) return respond_error(kMsgGetResponseType, api_errors::stream_not_found());
  std::optional<stream::StoredMessage> msg = stream->load(request);
  if (!msg) return respond_error(kMsgGetResponseType, api_errors::no_message_found());
  // nats-server sends a found message without counting it in the API totals (errors are counted).
  if (!reply_.empty()) js_.send(reply_, {}, msg_get_response(*msg));
}

void ApiRequest::msg_delete(std::string_view name) {
  MsgDeleteRequest request;
  if (auto error = parse_msg_delete_request(body_, request))
    return respond_error(kMsgDeleteResponseType, *error);
  auto stream = find(name);
  if (stream == nullptr) return respond_error(kMsgDeleteResponseType, api_errors::stream_not_found());
  if (stream->config().sealed) return respond_error(kMsgDeleteResponseType, api_errors::stream_sealed());
  if (stream->config().deny_delete)
    return respond_error(kMsgDeleteResponseType,
                         api_errors::msg_delete_failed("message delete not permitted"));
  // What the store answers is sent as nats-server sends it: as a response, not counted as an API error.
  // nats-server's file store: a sequence outside the stored range is an error of the store ("no message
  // found" below the first, "stream store EOF" past the last), an interior gap is "not removed" (10043).
  const stream::StoreState state = stream->store().state();
  if (request.seq == 0 || request.seq < state.first_seq)
    return respond(error_response(kMsgDeleteResponseType, api_errors::msg_delete_failed("no message found")));
  if (request.seq > state.last_seq)
    return respond(error_response(kMsgDeleteResponseType, api_errors::msg_delete_failed("stream store EOF")));
  stream::StoreError error;
  if (!stream->remove(request.seq, !request.no_erase, error)) {
    if (error)
      return respond(error_response(kMsgDeleteResponseType, api_errors::msg_delete_failed(error.message)));
    return respond(error_response(kMsgDeleteResponseType, api_errors::sequence_not_found(request.seq)));
  }
  js_.update_usage();
  respond(msg_delete_response());
}

}  // namespace tern::server::jetstream
