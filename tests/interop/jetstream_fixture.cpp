#include "tests/interop/jetstream_fixture.h"

#include <system_error>

namespace tern::interop {

StoreDir::StoreDir() : path_(tern::test::make_temp_dir("tern-js-store-")) {}

StoreDir::~StoreDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::vector<std::string> jetstream_args(const StoreDir& store) {
  return {"-js", "-sd", store.path().string()};
}

JsCtxPtr require_jetstream(natsConnection* connection, const std::function<void(jsOptions&)>& customise) {
  jsOptions options;
  REQUIRE(jsOptions_Init(&options) == NATS_OK);
  options.Wait = kWaitMillis;
  if (customise) customise(options);
  jsCtx* js = nullptr;
  REQUIRE(natsConnection_JetStream(&js, connection, &options) == NATS_OK);
  return JsCtxPtr(js);
}

void JetStreamSetup::connect() {
  js.reset();
  client = std::make_unique<Client>(*server);
  INFO(client->last_error());
  REQUIRE(client->status() == NATS_OK);
  js = require_jetstream(client->connection());
}

jsStreamConfig stream_config(const char* name, std::vector<const char*>& subjects, jsStorageType storage) {
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = name;
  config.Subjects = subjects.empty() ? nullptr : subjects.data();
  config.SubjectsLen = static_cast<int>(subjects.size());
  config.Storage = storage;
  return config;
}

namespace {

JsResult result_of(natsStatus status, jsErrCode err_code) {
  return JsResult{status, static_cast<int>(err_code)};
}

StoredMessage stored_from(natsStatus status, jsErrCode err_code, natsMsg* raw) {
  StoredMessage stored;
  stored.result = result_of(status, err_code);
  if (status != NATS_OK || raw == nullptr) return stored;
  stored.message.reset(raw);
  stored.subject = natsMsg_GetSubject(raw);
  stored.data = message_data(raw);
  stored.seq = natsMsg_GetSequence(raw);
  return stored;
}

PubResult pub_result_of(natsStatus status, jsErrCode err_code, jsPubAck* ack) {
  PubResult result;
  result.result = result_of(status, err_code);
  if (ack != nullptr) {
    result.seq = ack->Sequence;
    result.duplicate = ack->Duplicate;
    if (ack->Stream != nullptr) result.stream = ack->Stream;
    jsPubAck_Destroy(ack);
  }
  return result;
}

}  // namespace

StreamCall add_stream(jsCtx* js, jsStreamConfig& config) {
  jsStreamInfo* info = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_AddStream(&info, js, &config, nullptr, &err_code);
  return StreamCall{result_of(status, err_code), StreamInfoPtr(info)};
}

StreamCall update_stream(jsCtx* js, jsStreamConfig& config) {
  jsStreamInfo* info = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_UpdateStream(&info, js, &config, nullptr, &err_code);
  return StreamCall{result_of(status, err_code), StreamInfoPtr(info)};
}

StreamCall stream_info(jsCtx* js, const char* name, const char* subjects_filter) {
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = kWaitMillis;
  options.Stream.Info.SubjectsFilter = subjects_filter;
  jsStreamInfo* info = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_GetStreamInfo(&info, js, name, &options, &err_code);
  return StreamCall{result_of(status, err_code), StreamInfoPtr(info)};
}

StreamInfoPtr require_stream_info(jsCtx* js, const char* name) {
  auto call = stream_info(js, name);
  INFO("stream info " << name);
  REQUIRE(call.result == kJsOk);
  REQUIRE(call.info != nullptr);
  return std::move(call.info);
}

StreamInfoPtr require_add_stream(jsCtx* js, jsStreamConfig& config) {
  auto call = add_stream(js, config);
  INFO("add stream " << config.Name);
  REQUIRE(call.result == kJsOk);
  REQUIRE(call.info != nullptr);
  return std::move(call.info);
}

PubResult js_publish(jsCtx* js, const char* subject, std::string_view data, const jsPubOptions* options) {
  jsPubAck* ack = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_Publish(&ack, js, subject, data.data(), static_cast<int>(data.size()),
                                       const_cast<jsPubOptions*>(options), &err_code);
  return pub_result_of(status, err_code, ack);
}

PubResult js_publish_msg(jsCtx* js, natsMsg* message, const jsPubOptions* options) {
  jsPubAck* ack = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_PublishMsg(&ack, js, message, const_cast<jsPubOptions*>(options), &err_code);
  return pub_result_of(status, err_code, ack);
}

void require_published(jsCtx* js, const char* subject, std::string_view data, std::uint64_t expected_seq) {
  const PubResult published = js_publish(js, subject, data);
  INFO("publish to " << subject);
  REQUIRE(published.result == kJsOk);
  REQUIRE(published.seq == expected_seq);
  REQUIRE_FALSE(published.duplicate);
}

StoredMessage get_msg(jsCtx* js, const char* stream, std::uint64_t seq) {
  natsMsg* raw = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_GetMsg(&raw, js, stream, seq, nullptr, &err_code);
  return stored_from(status, err_code, raw);
}

StoredMessage get_last_msg(jsCtx* js, const char* stream, const char* subject) {
  natsMsg* raw = nullptr;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_GetLastMsg(&raw, js, stream, subject, nullptr, &err_code);
  return stored_from(status, err_code, raw);
}

JsResult delete_msg(jsCtx* js, const char* stream, std::uint64_t seq) {
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_DeleteMsg(js, stream, seq, nullptr, &err_code);
  return result_of(status, err_code);
}

JsResult erase_msg(jsCtx* js, const char* stream, std::uint64_t seq) {
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_EraseMsg(js, stream, seq, nullptr, &err_code);
  return result_of(status, err_code);
}

JsResult delete_stream(jsCtx* js, const char* stream) {
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_DeleteStream(js, stream, nullptr, &err_code);
  return result_of(status, err_code);
}

JsResult purge_stream(jsCtx* js, const char* stream, const char* subject, std::uint64_t sequence,
                      std::uint64_t keep) {
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = kWaitMillis;
  options.Stream.Purge.Subject = subject;
  options.Stream.Purge.Sequence = sequence;
  options.Stream.Purge.Keep = keep;
  jsErrCode err_code = static_cast<jsErrCode>(0);
  const natsStatus status = js_PurgeStream(js, stream, &options, &err_code);
  return result_of(status, err_code);
}

StateFigures state_of(const jsStreamInfo& info) {
  const jsStreamState& s = info.State;
  return StateFigures{s.Msgs, s.Bytes, s.FirstSeq, s.LastSeq, s.NumDeleted, s.NumSubjects};
}

StateFigures require_state(jsCtx* js, const char* stream) {
  return state_of(*require_stream_info(js, stream));
}

std::uint64_t file_msg_bytes(std::string_view subject, std::string_view headers, std::string_view data) {
  // len:4 seq:8 ts:8 subj_len:2, subject, [hdr_len:4 headers], payload, hash:8.
  const std::uint64_t header_part = headers.empty() ? 0 : 4 + headers.size();
  return 22 + subject.size() + header_part + data.size() + 8;
}

std::uint64_t memory_msg_bytes(std::string_view subject, std::string_view headers, std::string_view data) {
  return subject.size() + headers.size() + data.size() + 16;
}

std::uint64_t msg_bytes(jsStorageType storage, std::string_view subject, std::string_view headers,
                        std::string_view data) {
  return storage == js_MemoryStorage ? memory_msg_bytes(subject, headers, data)
                                     : file_msg_bytes(subject, headers, data);
}

}  // namespace tern::interop
