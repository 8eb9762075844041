#include "server/jetstream/api_requests.h"

#include "server/jetstream/go_json.h"

namespace tern::server::jetstream {

namespace {

using simdjson::dom::element;

constexpr std::string_view kStatusEmptyRequest = "NATS/1.0 408 Empty Request\r\n\r\n";
constexpr std::string_view kStatusMalformedRequest = "NATS/1.0 408 Malformed Request\r\n\r\n";
constexpr std::string_view kStatusBadRequest = "NATS/1.0 408 Bad Request\r\n\r\n";

// Decodes a JSON object (or null) into `out` member by member with `decode_member(key, value, out)`,
// which ignores unknown keys. False where json.Unmarshal would fail.
template <typename T, typename DecodeMember>
bool decode_request(std::string_view body, T& out, DecodeMember decode_member) {
  const auto root = go_json::parse(body);
  if (!root) return false;
  if (root->is_null()) return true;
  simdjson::dom::object members;
  if (root->get_object().get(members) != simdjson::SUCCESS) return false;
  for (auto [key, value] : members) {
    if (!decode_member(key, value, out)) return false;
  }
  return true;
}

bool decode_msg_get_member(std::string_view key, element value, MsgGetRequest& out) {
  if (go_json::key_is(key, "seq")) return go_json::decode(value, out.seq);
  if (go_json::key_is(key, "last_by_subj")) return go_json::decode(value, out.last_by_subj);
  if (go_json::key_is(key, "next_by_subj")) return go_json::decode(value, out.next_by_subj);
  return true;
}

}  // namespace

std::optional<ApiError> parse_stream_info_request(std::string_view body, StreamInfoRequest& out) {
  out = StreamInfoRequest{};
  if (go_json::is_empty_request(body)) return std::nullopt;
  const bool ok =
      decode_request(body, out, [](std::string_view key, element value, StreamInfoRequest& request) {
        if (go_json::key_is(key, "offset")) return go_json::decode(value, request.offset);
        if (go_json::key_is(key, "deleted_details")) return go_json::decode(value, request.deleted_details);
        if (go_json::key_is(key, "subjects_filter")) return go_json::decode(value, request.subjects_filter);
        return true;
      });
  if (!ok) return api_errors::invalid_json();
  return std::nullopt;
}

std::optional<ApiError> parse_stream_names_request(std::string_view body, StreamNamesRequest& out) {
  out = StreamNamesRequest{};
  if (go_json::is_empty_request(body)) return std::nullopt;
  const bool ok =
      decode_request(body, out, [](std::string_view key, element value, StreamNamesRequest& request) {
        if (go_json::key_is(key, "offset")) return go_json::decode(value, request.offset);
        if (go_json::key_is(key, "subject")) return go_json::decode(value, request.subject);
        return true;
      });
  if (!ok) return api_errors::invalid_json();
  return std::nullopt;
}

std::optional<ApiError> parse_stream_purge_request(std::string_view body, StreamPurgeRequest& out) {
  out = StreamPurgeRequest{};
  if (go_json::is_empty_request(body)) return std::nullopt;
  const bool ok =
      decode_request(body, out, [](std::string_view key, element value, StreamPurgeRequest& request) {
        if (go_json::key_is(key, "seq")) return go_json::decode(value, request.seq);
        if (go_json::key_is(key, "filter")) return go_json::decode(value, request.filter);
        if (go_json::key_is(key, "keep")) return go_json::decode(value, request.keep);
        return true;
      });
  if (!ok) return api_errors::invalid_json();
  if (out.seq > 0 && out.keep > 0) return api_errors::bad_request();
  out.present = true;
  return std::nullopt;
}

std::optional<ApiError> parse_msg_get_request(std::string_view body, MsgGetRequest& out) {
  out = MsgGetRequest{};
  if (go_json::is_empty_request(body)) return api_errors::bad_request();
  if (!decode_request(body, out, decode_msg_get_member)) return api_errors::invalid_json();
  const bool nothing = out.seq == 0 && out.last_by_subj.empty() && out.next_by_subj.empty();
  if ((out.seq > 0 && !out.last_by_subj.empty()) || nothing) return api_errors::bad_request();
  if (!out.last_by_subj.empty() && !out.next_by_subj.empty()) return api_errors::bad_request();
  return std::nullopt;
}

std::optional<ApiError> parse_msg_delete_request(std::string_view body, MsgDeleteRequest& out) {
  out = MsgDeleteRequest{};
  if (go_json::is_empty_request(body)) return api_errors::bad_request();
  const bool ok =
      decode_request(body, out, [](std::string_view key, element value, MsgDeleteRequest& request) {
        if (go_json::key_is(key, "seq")) return go_json::decode(value, request.seq);
        if (go_json::key_is(key, "no_erase")) return go_json::decode(value, request.no_erase);
        return true;
      });
  if (!ok) return api_errors::invalid_json();
  return std::nullopt;
}

std::optional<std::string> parse_direct_get_request(std::string_view body, MsgGetRequest& out) {
  out = MsgGetRequest{};
  if (body.empty()) return std::string(kStatusEmptyRequest);
  if (!decode_request(body, out, decode_msg_get_member)) return std::string(kStatusMalformedRequest);
  if (out.seq == 0 && out.last_by_subj.empty() && out.next_by_subj.empty()) {
    return std::string(kStatusEmptyRequest);
  }
  if (out.seq > 0 && !out.last_by_subj.empty()) return std::string(kStatusBadRequest);
  if (!out.last_by_subj.empty() && !out.next_by_subj.empty()) return std::string(kStatusBadRequest);
  return std::nullopt;
}

std::optional<std::string> parse_direct_get_last_by_subject(std::string_view api_subject,
                                                            std::string_view body, MsgGetRequest& out) {
  out = MsgGetRequest{};
  if (!body.empty()) return std::string(kStatusBadRequest);
  // "$JS.API.DIRECT.GET.<stream>.<key>": the key starts after the fifth dot.
  std::size_t position = 0;
  for (int dots = 0; dots < 5; ++dots) {
    position = api_subject.find('.', position);
    if (position == std::string_view::npos) return std::string(kStatusBadRequest);
    ++position;
  }
  if (position >= api_subject.size()) return std::string(kStatusBadRequest);
  out.last_by_subj.assign(api_subject.substr(position));
  return std::nullopt;
}

}  // namespace tern::server::jetstream
