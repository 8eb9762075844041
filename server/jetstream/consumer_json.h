// The JSON replies of the JetStream consumer API, byte for byte as nats-server 2.9.10 marshals them
// (jetstream_api.go's JSApiConsumer*Response types, consumer.go's ConsumerInfo), and the paged request of
// CONSUMER.NAMES and CONSUMER.LIST.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/jetstream/api_error.h"
#include "server/jetstream/consumer_config.h"
#include "server/monitor/json_writer.h"

namespace tern::server::jetstream {

inline constexpr std::string_view kConsumerCreateResponseType =
    "io.nats.jetstream.api.v1.consumer_create_response";
inline constexpr std::string_view kConsumerInfoResponseType =
    "io.nats.jetstream.api.v1.consumer_info_response";
inline constexpr std::string_view kConsumerDeleteResponseType =
    "io.nats.jetstream.api.v1.consumer_delete_response";
inline constexpr std::string_view kConsumerNamesResponseType =
    "io.nats.jetstream.api.v1.consumer_names_response";
inline constexpr std::string_view kConsumerListResponseType =
    "io.nats.jetstream.api.v1.consumer_list_response";

// Page sizes nats-server uses (JSApiNamesLimit, JSApiListLimit).
inline constexpr std::int64_t kConsumerNamesLimit = 1024;
inline constexpr std::int64_t kConsumerListLimit = 256;

// SequenceInfo: a consumer sequence, the stream sequence it maps to, and when it last moved.
struct SequencePair {
  std::uint64_t consumer_seq = 0;
  std::uint64_t stream_seq = 0;
  std::int64_t last_active_ns = 0;  // Unix nanoseconds; 0 omits "last_active", as Go omits a nil time.
};

// What ConsumerInfo shows of one consumer. The views and `config` must outlive the view.
struct ConsumerInfoView {
  std::string_view stream_name;
  std::string_view name;
  std::int64_t created_ns = 0;
  const ConsumerConfig* config = nullptr;  // Null omits "config", as Go omits a nil *ConsumerConfig.
  SequencePair delivered;
  SequencePair ack_floor;
  std::int64_t num_ack_pending = 0;
  std::int64_t num_redelivered = 0;
  std::int64_t num_waiting = 0;
  std::uint64_t num_pending = 0;
  bool push_bound = false;
};

// Writes a ConsumerInfo object value. Standalone nats-server has no "cluster" member, and neither does this.
void write_consumer_info(monitor::JsonWriter& json, const ConsumerInfoView& info);

// CONSUMER.CREATE (also for an existing consumer, identical or updated) and CONSUMER.INFO. Their errors,
// like CONSUMER.DELETE's, carry only type and error: error_response(kConsumer*ResponseType, error).
std::string consumer_create_response(const ConsumerInfoView& info);
std::string consumer_info_response(const ConsumerInfoView& info);
std::string consumer_delete_response();

// CONSUMER.NAMES: `names` is the page (sorted, from `offset`, at most kConsumerNamesLimit), `total` the
// stream's consumer count. An empty page is [] (nats-server starts from an empty slice, not nil).
std::string consumer_names_response(std::int64_t total, std::int64_t offset,
                                    const std::vector<std::string>& names);
// Errors keep the paging members, zero, and "consumers":[].
std::string consumer_names_error(const ApiError& error);

// CONSUMER.LIST: the page of infos (sorted by name, at most kConsumerListLimit); none is [].
std::string consumer_list_response(std::int64_t total, std::int64_t offset,
                                   const std::vector<ConsumerInfoView>& infos);
std::string consumer_list_error(const ApiError& error);

// The body of CONSUMER.NAMES and CONSUMER.LIST (JSApiConsumersRequest): an empty request (no bytes, or an
// object without members) is offset 0; otherwise json.Unmarshal, 10025 when it fails. `offset` is what
// the body says; nats-server clamps it to the total (a negative one makes it panic; callers clamp to 0).
std::optional<ApiError> parse_consumer_names_request(std::string_view body, std::int64_t& offset);

}  // namespace tern::server::jetstream
