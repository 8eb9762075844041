#include "client/jetstream/errors.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace tern::client::jetstream {
namespace {

struct KnownApiError {
  int err_code;
  std::string_view description;
};

// nats-server 2.9.10's API errors (jetstream_errors_generated.go), by err_code. A description with a
// brace-enclosed field name in it is the template the server fills in; last_api_error() has the text
// the server sent.
constexpr KnownApiError kKnownApiErrors[] = {
    {10002, "resource limits exceeded for account"},
    {10003, "bad request"},
    {10004, "incomplete results"},
    {10005, "{err}"},
    {10006, "JetStream not in clustered mode"},
    {10007, "JetStream cluster not assigned to this server"},
    {10008, "JetStream system temporarily unavailable"},
    {10009, "JetStream cluster can not handle request"},
    {10010, "JetStream clustering support required"},
    {10011, "tags placement not supported for operation"},
    {10012, "{err}"},
    {10013, "consumer name already in use"},
    {10014, "consumer not found"},
    {10015, "deliver subject not valid"},
    {10016, "consumer expected to be durable but no durable name set in subject"},
    {10017, "consumer name in subject does not match durable name in request"},
    {10018, "consumer expected to be durable but a durable name was not set"},
    {10019, "consumer expected to be ephemeral but detected a durable name set in subject"},
    {10020, "consumer expected to be ephemeral but a durable name was set in request"},
    {10021, "stream external api prefix {prefix} must not overlap with {subject}"},
    {10022, "stream external delivery prefix {prefix} overlaps with stream subject {subject}"},
    {10023, "insufficient resources"},
    {10024, "stream external delivery prefix {prefix} must not contain wildcards"},
    {10025, "invalid JSON"},
    {10026, "maximum consumers limit reached"},
    {10027, "maximum number of streams reached"},
    {10028, "insufficient memory resources available"},
    {10029, "{err}"},
    {10030, "stream mirror must have max message size >= source"},
    {10031, "stream mirrors can not also contain other sources"},
    {10032, "stream mirrors can not have both start seq and start time configured"},
    {10033, "stream mirrors can not contain filtered subjects"},
    {10034, "stream mirrors can not contain subjects"},
    {10035, "account not found"},
    {10036, "not currently supported in clustered mode"},
    {10037, "no message found"},
    {10038, "expected an empty request payload"},
    {10039, "JetStream not enabled for account"},
    {10040, "peer not a member"},
    {10041, "{err}"},
    {10042, "JetStream unable to subscribe to restore snapshot {subject}: {err}"},
    {10043, "sequence {seq} not found"},
    {10044, "server is not a member of the cluster"},
    {10045, "{err}"},
    {10046, "stream source must have max message size >= target"},
    {10047, "insufficient storage resources available"},
    {10048, "{err}"},
    {10049, "{err}"},
    {10050, "{err}"},
    {10051, "{err}"},
    {10052, "{err}"},
    {10053, "{err}"},
    {10054, "message size exceeds maximum allowed"},
    {10055, "stream mirror configuration can not be updated"},
    {10056, "stream name in subject does not match request"},
    {10057, "{err}"},
    {10058, "stream name already in use with a different configuration"},
    {10059, "stream not found"},
    {10060, "expected stream does not match"},
    {10061, "Replicas configuration can not be updated"},
    {10062, "restore failed: {err}"},
    {10063, "expected stream sequence does not match"},
    {10064, "snapshot failed: {err}"},
    {10065, "subjects overlap with an existing stream"},
    {10066, "{err}"},
    {10067, "{err}"},
    {10068, "template not found"},
    {10069, "{err}"},
    {10070, "wrong last msg ID: {id}"},
    {10071, "wrong last sequence: {seq}"},
    {10072, "JetStream unable to open temp storage for restore"},
    {10073, "template name in subject does not match request"},
    {10074, "replicas > 1 not supported in non-clustered mode"},
    {10075, "peer remap failed"},
    {10076, "JetStream not enabled"},
    {10077, "{err}"},
    {10078, "consumer config required"},
    {10079, "consumer deliver subject has wildcards"},
    {10080, "consumer in push mode can not set max waiting"},
    {10081, "consumer deliver subject forms a cycle"},
    {10082, "consumer requires ack policy for max ack pending"},
    {10083, "consumer idle heartbeat needs to be >= 100ms"},
    {10084, "consumer in pull mode requires ack policy"},
    {10085, "consumer in pull mode requires a durable name"},
    {10086, "consumer in pull mode can not have rate limit set"},
    {10087, "consumer max waiting needs to be positive"},
    {10088, "consumer idle heartbeat requires a push based consumer"},
    {10089, "consumer flow control requires a push based consumer"},
    {10090, "consumer direct requires a push based consumer"},
    {10091, "consumer direct requires an ephemeral consumer"},
    {10092, "consumer direct on a mapped consumer"},
    {10093, "consumer filter subject is not a valid subset of the interest subjects"},
    {10094, "{err}"},
    {10095, "failed to parse consumer sampling configuration: {err}"},
    {10096, "stream not valid"},
    {10097, "header size exceeds maximum allowed of 64k"},
    {10098, "workqueue stream requires explicit ack"},
    {10099, "multiple non-filtered consumers not allowed on workqueue stream"},
    {10100, "filtered consumer not unique on workqueue stream"},
    {10101, "consumer must be deliver all on workqueue stream"},
    {10102, "consumer name is too long, maximum allowed is {max}"},
    {10103, "durable name can not contain '.', '*', '>'"},
    {10104, "error creating store for consumer: {err}"},
    {10105, "consumer already exists and is still active"},
    {10106, "consumer replacement durable config not the same"},
    {10107, "consumer description is too long, maximum allowed is {max}"},
    {10108, "consumer with flow control also needs heartbeats"},
    {10109, "invalid operation on sealed stream"},
    {10110, "{err}"},
    {10111, "{err}"},
    {10112, "invalid push consumer deliver subject"},
    {10113, "account requires a stream config to have max bytes set"},
    {10114, "consumer max request batch needs to be > 0"},
    {10115, "consumer max request expires needs to be >= 1ms"},
    {10116, "max deliver is required to be > length of backoff values"},
    {10117, "subject details would exceed maximum allowed"},
    {10118, "stream is offline"},
    {10119, "consumer is offline"},
    {10120, "no JetStream default or applicable tiered limit present"},
    {10121, "consumer max ack pending exceeds system limit of {limit}"},
    {10122, "stream max bytes exceeds account limit max stream bytes"},
    {10123, "can not move and scale a stream in a single update"},
    {10124, "stream move already in progress: {msg}"},
    {10125, "consumer max request batch exceeds server limit of {limit}"},
    {10126, "consumer config replica count exceeds parent stream"},
    {10127, "Consumer name can not contain path separators"},
    {10128, "Stream name can not contain path separators"},
    {10129, "stream move not in progress"},
    {10130, "stream name already in use, cannot restore"},
    {10131, "Consumer create request did not match filtered subject from create subject"},
    {10132, "Consumer Durable and Name have to be equal if both are provided"},
    {10133, "replicas count cannot be negative"},
};

constexpr std::string_view kLibraryMessages[] = {
    "success",
    "JetStream not enabled",
    "no response from stream",
    "invalid JetStream API response",
    "too many outstanding asynchronous publishes",
    "not a JetStream message",
    "message already acknowledged",
    "consumer deleted",
    "missed heartbeats",
    "pull request over the consumer's limits",
    "invalid name",
    "bucket not found",
    "invalid key",
    "key not found",
    "key was deleted",
    "key exists",
};

class JetStreamCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "tern.jetstream"; }
  std::string message(int value) const override {
    if (value >= 0 && static_cast<std::size_t>(value) < std::size(kLibraryMessages)) {
      return std::string(kLibraryMessages[value]);
    }
    const auto* end = std::end(kKnownApiErrors);
    const auto* found = std::lower_bound(std::begin(kKnownApiErrors), end, value,
                                         [](const KnownApiError& e, int code) { return e.err_code < code; });
    if (found != end && found->err_code == value) return std::string(found->description);
    return "JetStream API error " + std::to_string(value);
  }
};

thread_local std::string last_description;

}  // namespace

const std::error_category& jetstream_category() noexcept {
  static const JetStreamCategory category;
  return category;
}

std::error_code api_error(int err_code, std::string description) {
  last_description = std::move(description);
  return {err_code, jetstream_category()};
}

const std::string& last_api_error() noexcept {
  return last_description;
}

void clear_last_api_error() noexcept {
  last_description.clear();
}

}  // namespace tern::client::jetstream
