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
