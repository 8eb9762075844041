// One `$JS.API.>` request being answered: the subject's parts, the body, and where the answer goes.
// The stream handlers are in api.cpp, the consumer handlers in consumer_api.cpp.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "server/jetstream/api_error.h"
#include "server/jetstream/jetstream.h"
#include "server/routed_message.h"

namespace tern::server::jetstream {

class ApiRequest {
 public:
  ApiRequest(JetStream& js, const RoutedMessage& msg)
      : js_(js), subject_(msg.subject), reply_(msg.reply), body_(msg.body()) {}

  void dispatch();

 private:
  void respond(const std::string& json) {
    ++js_.api_.total;
    if (!reply_.empty()) js_.send(reply_, {}, json);
  }
  void respond_error(std::string_view type, const ApiError& error) {
    respond_error_body(error_response(type, error));
  }
  void respond_error_body(const std::string& json) {
    ++js_.api_.errors;
    respond(json);
  }
  std::shared_ptr<Stream> find(std::string_view name) const {
    const auto found = js_.streams_.find(std::string(name));
    return found == js_.streams_.end() ? nullptr : found->second;
  }

  void account_info();
  void stream_create(std::string_view name);
  void stream_update(std::string_view name);
  void stream_info(std::string_view name);
  void stream_delete(std::string_view name);
  void stream_names();
  void stream_list();
  void stream_purge(std::string_view name);
  void msg_get(std::string_view name);
  void msg_delete(std::string_view name);
  // Consumers (consumer_api.cpp).
  void consumer_create();
  void consumer_info(std::string_view rest);
  void consumer_delete(std::string_view rest);
  void consumer_names(std::string_view stream);
  void consumer_list(std::string_view stream);
  void consumer_next(std::string_view rest);
  // "<stream>.<consumer>" -> both, when each is one token.
  static std::optional<std::pair<std::string_view, std::string_view>> stream_and_consumer(
      std::string_view rest);
  void respond_consumer_created(const std::shared_ptr<Stream>& stream,
                                const std::shared_ptr<Consumer>& consumer, bool persist_meta);
  void reply_after_sync(std::function<std::string()> sync, std::weak_ptr<Stream> weak,
                        std::function<std::string(const Stream*)> answer);

  JetStream& js_;
  std::string_view subject_;
  std::string reply_;
  std::string_view body_;
};

}  // namespace tern::server::jetstream
