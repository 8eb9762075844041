// The errors of the JetStream API as nats-server 2.9.10 answers them (jetstream_errors_generated.go):
// an HTTP-like status, a JetStream error code and a text. The errors whose texts take a value (nats-server's
// "F" errors) get it filled in as nats-server's strings.Replacer fills it in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/monitor/json_writer.h"

namespace tern::server::jetstream {

struct ApiError {
  int code = 0;
  int err_code = 0;
  std::string description;

  bool operator==(const ApiError&) const = default;
};

// Named constructors, one per error the stream and consumer APIs and the publish path answer. The comment
// gives the err_code and status; the text is nats-server's.
namespace api_errors {

ApiError account_resources_exceeded();                   // 10002, 400
ApiError bad_request();                                  // 10003, 400
ApiError insufficient_resources();                       // 10023, 503
ApiError invalid_json();                                 // 10025, 400
ApiError maximum_streams_limit();                        // 10027, 400
ApiError memory_resources_exceeded();                    // 10028, 500
ApiError mirror_with_sources();                          // 10031, 400
ApiError mirror_with_subjects();                         // 10034, 400
ApiError no_message_found();                             // 10037, 404
ApiError not_empty_request();                            // 10038, 400
ApiError not_enabled_for_account();                      // 10039, 503
ApiError sequence_not_found(std::uint64_t seq);          // 10043, 400: "sequence {seq} not found"
ApiError storage_resources_exceeded();                   // 10047, 500
ApiError stream_create(std::string_view error);          // 10049, 500: "{err}"
ApiError stream_delete(std::string_view error);          // 10050, 500: "{err}"
ApiError stream_general(std::string_view error);         // 10051, 500: "{err}"
ApiError stream_invalid_config(std::string_view error);  // 10052, 500: "{err}"
ApiError stream_limits(std::string_view error);          // 10053, 500: "{err}"
ApiError message_exceeds_maximum();                      // 10054, 400
ApiError mirror_not_updatable();                         // 10055, 400
ApiError stream_mismatch();                              // 10056, 400
ApiError msg_delete_failed(std::string_view error);      // 10057, 500: "{err}"
ApiError stream_name_exist();                            // 10058, 400
ApiError stream_not_found();                             // 10059, 404
ApiError stream_not_match();                             // 10060, 400: Nats-Expected-Stream
ApiError subject_overlap();                              // 10065, 400
ApiError stream_update(std::string_view error);          // 10069, 500: "{err}"
ApiError wrong_last_msg_id(std::string_view id);         // 10070, 400: "wrong last msg ID: {id}"
ApiError wrong_last_sequence(std::uint64_t seq);         // 10071, 400: "wrong last sequence: {seq}"
ApiError replicas_not_supported();                       // 10074, 500
ApiError not_enabled();                                  // 10076, 503
ApiError stream_store_failed(std::string_view error);    // 10077, 503: "{err}"
ApiError header_exceeds_maximum();                       // 10097, 400
ApiError stream_sealed();                                // 10109, 400
ApiError stream_purge_failed(std::string_view error);    // 10110, 500: "{err}"
ApiError stream_rollup_failed(std::string_view error);   // 10111, 500: "{err}"
ApiError stream_name_contains_path_separators();         // 10128, 400
ApiError replicas_count_negative();                      // 10133, 400

// The consumer API's errors (create checks, info, delete).
ApiError consumer_create(std::string_view error);          // 10012, 500: "{err}"
ApiError consumer_name_exist();                            // 10013, 400
ApiError consumer_not_found();                             // 10014, 404
ApiError consumer_durable_name_not_in_subject();           // 10016, 400
ApiError consumer_durable_name_not_match_subject();        // 10017, 400
ApiError consumer_durable_name_not_set();                  // 10018, 400
ApiError consumer_ephemeral_with_durable_in_subject();     // 10019, 400
ApiError consumer_ephemeral_with_durable_name();           // 10020, 400
ApiError maximum_consumers_limit();                        // 10026, 400
ApiError consumer_config_required();                       // 10078, 400
ApiError consumer_deliver_to_wildcards();                  // 10079, 400
ApiError consumer_push_max_waiting();                      // 10080, 400
ApiError consumer_deliver_cycle();                         // 10081, 400
ApiError consumer_max_pending_ack_policy_required();       // 10082, 400
ApiError consumer_small_heartbeat();                       // 10083, 400
ApiError consumer_pull_requires_ack();                     // 10084, 400
ApiError consumer_pull_not_durable();                      // 10085, 400
ApiError consumer_pull_with_rate_limit();                  // 10086, 400
ApiError consumer_max_waiting_negative();                  // 10087, 400
ApiError consumer_hb_requires_push();                      // 10088, 400
ApiError consumer_fc_requires_push();                      // 10089, 400
ApiError consumer_direct_requires_push();                  // 10090, 400
ApiError consumer_direct_requires_ephemeral();             // 10091, 400
ApiError consumer_filter_not_subset();                     // 10093, 400
ApiError consumer_invalid_policy(std::string_view error);  // 10094, 400: "{err}"
ApiError consumer_invalid_sampling(
    std::string_view error);  // 10095, 400: "failed to parse consumer sampling configuration: {err}"
ApiError consumer_wq_requires_explicit_ack();  // 10098, 400
ApiError consumer_wq_multiple_unfiltered();    // 10099, 400
ApiError consumer_wq_not_unique();             // 10100, 400
ApiError consumer_wq_not_deliver_all();        // 10101, 400
ApiError consumer_name_too_long(
    std::size_t max);                  // 10102, 400: "consumer name is too long, maximum allowed is {max}"
ApiError consumer_bad_durable_name();  // 10103, 400
ApiError consumer_store_failed(
    std::string_view error);          // 10104, 500: "error creating store for consumer: {err}"
ApiError consumer_existing_active();  // 10105, 400
ApiError consumer_replacement_with_different_name();  // 10106, 400
ApiError consumer_description_too_long(
    std::size_t max);  // 10107, 400: "consumer description is too long, maximum allowed is {max}"
ApiError consumer_with_flow_control_needs_heartbeats();  // 10108, 400
ApiError consumer_invalid_deliver_subject();             // 10112, 400
ApiError consumer_max_request_batch_negative();          // 10114, 400
ApiError consumer_max_request_expires_too_small();       // 10115, 400
ApiError consumer_max_deliver_backoff();                 // 10116, 400
ApiError consumer_max_pending_ack_excess(
    std::int64_t limit);  // 10121, 400: "consumer max ack pending exceeds system limit of {limit}"
ApiError consumer_max_request_batch_exceeded(
    std::int64_t limit);  // 10125, 400: "consumer max request batch exceeds server limit of {limit}"
ApiError consumer_replicas_exceeds_stream();           // 10126, 400
ApiError consumer_name_contains_path_separators();     // 10127, 400
ApiError consumer_create_filter_subject_mismatch();    // 10131, 400
ApiError consumer_create_durable_and_name_mismatch();  // 10132, 400

}  // namespace api_errors

// Writes the member `"error":{"code":..,"err_code":..,"description":".."}` into the object `json` is
// in, as Go marshals *ApiError (err_code and description are omitempty).
void write_api_error(monitor::JsonWriter& json, const ApiError& error);

// The whole reply `{"type":"<type>","error":{...}}` of an endpoint whose response has nothing but
// omitempty members besides the ApiResponse (delete, msg delete, msg get, create, update).
std::string error_response(std::string_view type, const ApiError& error);

}  // namespace tern::server::jetstream
