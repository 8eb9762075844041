#include "server/jetstream/api_error.h"

namespace tern::server::jetstream {

namespace api_errors {

namespace {

ApiError make(int code, int err_code, std::string_view description) {
  return ApiError{code, err_code, std::string(description)};
}

}  // namespace

ApiError account_resources_exceeded() {
  return make(400, 10002, "resource limits exceeded for account");
}
ApiError bad_request() {
  return make(400, 10003, "bad request");
}
ApiError insufficient_resources() {
  return make(503, 10023, "insufficient resources");
}
ApiError invalid_json() {
  return make(400, 10025, "invalid JSON");
}
ApiError maximum_streams_limit() {
  return make(400, 10027, "maximum number of streams reached");
}
ApiError memory_resources_exceeded() {
  return make(500, 10028, "insufficient memory resources available");
}
ApiError mirror_with_sources() {
  return make(400, 10031, "stream mirrors can not also contain other sources");
}
ApiError mirror_with_subjects() {
  return make(400, 10034, "stream mirrors can not contain subjects");
}
ApiError no_message_found() {
  return make(404, 10037, "no message found");
}
ApiError not_empty_request() {
  return make(400, 10038, "expected an empty request payload");
}
ApiError not_enabled_for_account() {
  return make(503, 10039, "JetStream not enabled for account");
}
ApiError sequence_not_found(std::uint64_t seq) {
  return make(400, 10043, "sequence " + std::to_string(seq) + " not found");
}
ApiError storage_resources_exceeded() {
  return make(500, 10047, "insufficient storage resources available");
}
ApiError stream_create(std::string_view error) {
  return make(500, 10049, error);
}
ApiError stream_delete(std::string_view error) {
  return make(500, 10050, error);
}
ApiError stream_general(std::string_view error) {
  return make(500, 10051, error);
}
ApiError stream_invalid_config(std::string_view error) {
  return make(500, 10052, error);
}
ApiError stream_limits(std::string_view error) {
  return make(500, 10053, error);
}
ApiError message_exceeds_maximum() {
  return make(400, 10054, "message size exceeds maximum allowed");
}
ApiError mirror_not_updatable() {
  return make(400, 10055, "stream mirror configuration can not be updated");
}
ApiError stream_mismatch() {
  return make(400, 10056, "stream name in subject does not match request");
}
ApiError msg_delete_failed(std::string_view error) {
  return make(500, 10057, error);
}
ApiError stream_name_exist() {
  return make(400, 10058, "stream name already in use with a different configuration");
}
ApiError stream_not_found() {
  return make(404, 10059, "stream not found");
}
ApiError stream_not_match() {
  return make(400, 10060, "expected stream does not match");
}
ApiError subject_overlap() {
  return make(400, 10065, "subjects overlap with an existing stream");
}
ApiError stream_update(std::string_view error) {
  return make(500, 10069, error);
}
ApiError wrong_last_msg_id(std::string_view id) {
  return make(400, 10070, "wrong last msg ID: " + std::string(id));
}
ApiError wrong_last_sequence(std::uint64_t seq) {
  return make(400, 10071, "wrong last sequence: " + std::to_string(seq));
}
ApiError replicas_not_supported() {
  return make(500, 10074, "replicas > 1 not supported in non-clustered mode");
}
ApiError not_enabled() {
  return make(503, 10076, "JetStream not enabled");
}
ApiError stream_store_failed(std::string_view error) {
  return make(503, 10077, error);
}
ApiError header_exceeds_maximum() {
  return make(400, 10097, "header size exceeds maximum allowed of 64k");
}
ApiError stream_sealed() {
  return make(400, 10109, "invalid operation on sealed stream");
}
ApiError stream_purge_failed(std::string_view error) {
  return make(500, 10110, error);
}
ApiError stream_rollup_failed(std::string_view error) {
  return make(500, 10111, error);
}
ApiError stream_name_contains_path_separators() {
  return make(400, 10128, "Stream name can not contain path separators");
}
ApiError replicas_count_negative() {
  return make(400, 10133, "replicas count cannot be negative");
}

ApiError consumer_create(std::string_view error) {
  return make(500, 10012, error);
}
ApiError consumer_name_exist() {
  return make(400, 10013, "consumer name already in use");
}
ApiError consumer_not_found() {
  return make(404, 10014, "consumer not found");
}
ApiError consumer_durable_name_not_in_subject() {
  return make(400, 10016, "consumer expected to be durable but no durable name set in subject");
}
ApiError consumer_durable_name_not_match_subject() {
  return make(400, 10017, "consumer name in subject does not match durable name in request");
}
ApiError consumer_durable_name_not_set() {
  return make(400, 10018, "consumer expected to be durable but a durable name was not set");
}
ApiError consumer_ephemeral_with_durable_in_subject() {
  return make(400, 10019, "consumer expected to be ephemeral but detected a durable name set in subject");
}
ApiError consumer_ephemeral_with_durable_name() {
  return make(400, 10020, "consumer expected to be ephemeral but a durable name was set in request");
}
ApiError maximum_consumers_limit() {
  return make(400, 10026, "maximum consumers limit reached");
}
ApiError consumer_config_required() {
  return make(400, 10078, "consumer config required");
}
ApiError consumer_deliver_to_wildcards() {
  return make(400, 10079, "consumer deliver subject has wildcards");
}
ApiError consumer_push_max_waiting() {
  return make(400, 10080, "consumer in push mode can not set max waiting");
}
ApiError consumer_deliver_cycle() {
  return make(400, 10081, "consumer deliver subject forms a cycle");
}
ApiError consumer_max_pending_ack_policy_required() {
  return make(400, 10082, "consumer requires ack policy for max ack pending");
}
ApiError consumer_small_heartbeat() {
  return make(400, 10083, "consumer idle heartbeat needs to be >= 100ms");
}
ApiError consumer_pull_requires_ack() {
  return make(400, 10084, "consumer in pull mode requires ack policy");
}
ApiError consumer_pull_not_durable() {
  return make(400, 10085, "consumer in pull mode requires a durable name");
}
ApiError consumer_pull_with_rate_limit() {
  return make(400, 10086, "consumer in pull mode can not have rate limit set");
}
ApiError consumer_max_waiting_negative() {
  return make(400, 10087, "consumer max waiting needs to be positive");
}
ApiError consumer_hb_requires_push() {
  return make(400, 10088, "consumer idle heartbeat requires a push based consumer");
}
ApiError consumer_fc_requires_push() {
  return make(400, 10089, "consumer flow control requires a push based consumer");
}
ApiError consumer_direct_requires_push() {
  return make(400, 10090, "consumer direct requires a push based consumer");
}
ApiError consumer_direct_requires_ephemeral() {
  return make(400, 10091, "consumer direct requires an ephemeral consumer");
}
ApiError consumer_filter_not_subset() {
  return make(400, 10093, "consumer filter subject is not a valid subset of the interest subjects");
}
ApiError consumer_invalid_policy(std::string_view error) {
  return make(400, 10094, error);
}
ApiError consumer_invalid_sampling(std::string_view error) {
  return make(400, 10095, "failed to parse consumer sampling configuration: " + std::string(error));
}
ApiError consumer_wq_requires_explicit_ack() {
  return make(400, 10098, "workqueue stream requires explicit ack");
}
ApiError consumer_wq_multiple_unfiltered() {
  return make(400, 10099, "multiple non-filtered consumers not allowed on workqueue stream");
}
ApiError consumer_wq_not_unique() {
  return make(400, 10100, "filtered consumer not unique on workqueue stream");
}
ApiError consumer_wq_not_deliver_all() {
  return make(400, 10101, "consumer must be deliver all on workqueue stream");
}
ApiError consumer_name_too_long(std::size_t max) {
  return make(400, 10102, "consumer name is too long, maximum allowed is " + std::to_string(max));
}
ApiError consumer_bad_durable_name() {
  return make(400, 10103, "durable name can not contain '.', '*', '>'");
}
ApiError consumer_store_failed(std::string_view error) {
  return make(500, 10104, "error creating store for consumer: " + std::string(error));
}
ApiError consumer_existing_active() {
  return make(400, 10105, "consumer already exists and is still active");
}
ApiError consumer_replacement_with_different_name() {
  return make(400, 10106, "consumer replacement durable config not the same");
}
ApiError consumer_description_too_long(std::size_t max) {
  return make(400, 10107, "consumer description is too long, maximum allowed is " + std::to_string(max));
}
ApiError consumer_with_flow_control_needs_heartbeats() {
  return make(400, 10108, "consumer with flow control also needs heartbeats");
}
ApiError consumer_invalid_deliver_subject() {
  return make(400, 10112, "invalid push consumer deliver subject");
}
ApiError consumer_max_request_batch_negative() {
  return make(400, 10114, "consumer max request batch needs to be > 0");
}
ApiError consumer_max_request_expires_too_small() {
  return make(400, 10115, "consumer max request expires needs to be >= 1ms");
}
ApiError consumer_max_deliver_backoff() {
  return make(400, 10116, "max deliver is required to be > length of backoff values");
}
ApiError consumer_max_pending_ack_excess(std::int64_t limit) {
  return make(400, 10121, "consumer max ack pending exceeds system limit of " + std::to_string(limit));
}
ApiError consumer_max_request_batch_exceeded(std::int64_t limit) {
  return make(400, 10125, "consumer max request batch exceeds server limit of " + std::to_string(limit));
}
ApiError consumer_replicas_exceeds_stream() {
  return make(400, 10126, "consumer config replica count exceeds parent stream");
}
ApiError consumer_name_contains_path_separators() {
  return make(400, 10127, "Consumer name can not contain path separators");
}
ApiError consumer_create_filter_subject_mismatch() {
  return make(400, 10131, "Consumer create request did not match filtered subject from create subject");
}
ApiError consumer_create_durable_and_name_mismatch() {
  return make(400, 10132, "Consumer Durable and Name have to be equal if both are provided");
}

}  // namespace api_errors

void write_api_error(monitor::JsonWriter& json, const ApiError& error) {
  json.key("error");
  json.begin_object();
  json.field("code", error.code);
  if (error.err_code != 0) json.field("err_code", error.err_code);
  if (!error.description.empty()) json.field("description", error.description);
  json.end_object();
}

std::string error_response(std::string_view type, const ApiError& error) {
  monitor::JsonWriter json(monitor::JsonWriter::Style::kCompact);
  json.begin_object();
  json.field("type", type);
  write_api_error(json, error);
  json.end_object();
  return json.take();
}

}  // namespace tern::server::jetstream
