// JetStream's errors as std::error_code values in the "tern.jetstream" category. A server's API error
// keeps its err_code as the value (10059 is "stream not found"), so callers compare against
// ApiErrc::kStreamNotFound or the raw number; the library's own conditions have small values (Errc).
// The server's description of the last API error on the calling thread, with its specifics ("stream
// name already in use with a different configuration"), is kept by last_api_error().
#pragma once

#include <string>
#include <system_error>

namespace tern::client::jetstream {

enum class Errc {
  kOk = 0,
  kNotEnabled = 1,       // The server answered the JetStream API with no responders: JetStream is off.
  kNoStreamResponse,     // A publish got no PubAck responder: no stream stores its subject.
  kInvalidResponse,      // The server's answer could not be read as the API's JSON.
  kTooManyPendingAcks,   // publish_async's window stayed full for the context's stall_wait.
  kNotJetStreamMessage,  // An ack method on a message that has no `$JS.ACK` reply subject.
  kAlreadyAcked,         // A second ack, nak or term of the same delivery.
  kConsumerDeleted,      // The consumer was deleted while fetching or consuming (status 409).
  kMissedHeartbeat,      // No message or heartbeat within twice the idle heartbeat (push, pull).
  kRequestLimit,         // A pull request over the consumer's limits (status 409 with the text).
  kInvalidName,          // A stream, consumer or bucket name with `.`, `*`, `>` or white space.
  kBucketNotFound,       // KV: no such bucket.
  kInvalidKey,           // KV: a key the KV subject space does not allow.
  kKeyNotFound,          // KV: no value under the key.
  kKeyDeleted,           // KV: the key's last entry is a delete or purge marker.
  kKeyExists,            // KV: create() of a key that has a value, or update() at a stale revision.
};

// The err_codes of nats-server's API errors that callers most often test for; every other err_code
// also reaches callers, with its description from nats-server's table when known.
enum class ApiErrc {
  kAccountResourcesExceeded = 10002,
  kBadRequest = 10003,
  kConsumerNotFound = 10014,
  kConsumerNameExists = 10013,
  kMessageNotFound = 10037,
  kStreamNameInUse = 10058,
  kStreamNotFound = 10059,
  kStreamWrongLastMsgId = 10070,
  kStreamWrongLastSequence = 10071,
  kNotEnabledForAccount = 10039,
};

const std::error_category& jetstream_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), jetstream_category()};
}
inline std::error_code make_error_code(ApiErrc e) noexcept {
  return {static_cast<int>(e), jetstream_category()};
}
// An API error by its err_code (and, for last_api_error(), the server's own description).
std::error_code api_error(int err_code, std::string description);

// The server's description of the last API error returned to the calling thread: empty when the last
// call succeeded or failed for another reason.
const std::string& last_api_error() noexcept;
void clear_last_api_error() noexcept;

// True for an error_code that is the server's API error `code`.
inline bool is_api_error(std::error_code error, ApiErrc code) noexcept {
  return error == make_error_code(code);
}

}  // namespace tern::client::jetstream

template <>
struct std::is_error_code_enum<tern::client::jetstream::Errc> : std::true_type {};
template <>
struct std::is_error_code_enum<tern::client::jetstream::ApiErrc> : std::true_type {};
