// Shared pieces of the libnats JetStream tests (test_jetstream.cpp, test_kv.cpp,
// test_jetstream_persistence.cpp): a server started with JetStream on a store directory of its own, a
// libnats JetStream context, owners for the js_* objects and helpers that turn libnats's out-parameters
// (status, jsErrCode, the object) into one value a test can compare exactly.
#pragma once

#include <nats/nats.h>
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/interop/libnats_fixture.h"

namespace tern::interop {

// A fresh store directory under $TMPDIR, removed with everything in it when the owner goes away. It
// outlives the server processes that use it, so a restart test can start a second server on it.
class StoreDir {
 public:
  StoreDir();
  ~StoreDir();
  StoreDir(const StoreDir&) = delete;
  StoreDir& operator=(const StoreDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The flags that turn JetStream on with `store` as the store directory; nats-server and ternd take the
// same ones.
std::vector<std::string> jetstream_args(const StoreDir& store);

template <class Server>
std::unique_ptr<TestServer> start_jetstream_server(const StoreDir& store) {
  return start_server<Server>(jetstream_args(store));
}

struct JsCtxDeleter {
  void operator()(jsCtx* js) const { jsCtx_Destroy(js); }
};
struct StreamInfoDeleter {
  void operator()(jsStreamInfo* info) const { jsStreamInfo_Destroy(info); }
};
struct AccountInfoDeleter {
  void operator()(jsAccountInfo* info) const { jsAccountInfo_Destroy(info); }
};
using JsCtxPtr = std::unique_ptr<jsCtx, JsCtxDeleter>;
using StreamInfoPtr = std::unique_ptr<jsStreamInfo, StreamInfoDeleter>;
using AccountInfoPtr = std::unique_ptr<jsAccountInfo, AccountInfoDeleter>;

// A JetStream context on `connection`, with API requests waiting up to kWaitMillis (libnats's default of
// 5 s is too short for a busy machine). `customise` may set publish-async options before creation.
JsCtxPtr require_jetstream(natsConnection* connection, const std::function<void(jsOptions&)>& customise = {});

// One server with JetStream on, one connection and its JetStream context: the cast of most tests.
struct JetStreamSetup {
  template <class Server>
  static std::unique_ptr<JetStreamSetup> start() {
    auto setup = std::make_unique<JetStreamSetup>();
    setup->server = start_jetstream_server<Server>(setup->store);
    setup->connect();
    return setup;
  }
  // Connects (again) to `server`.
  void connect();

  StoreDir store;
  std::unique_ptr<TestServer> server;
  std::unique_ptr<Client> client;
  JsCtxPtr js;
};

// The outcome of a js_* call: libnats's status and the server's err_code (0 when there was none).
struct JsResult {
  natsStatus status = NATS_OK;
  int err_code = 0;
  bool operator==(const JsResult&) const = default;
};
inline constexpr JsResult kJsOk{NATS_OK, 0};
// What a call that the server refused with an API error returns.
inline JsResult js_error(int err_code) {
  return JsResult{NATS_ERR, err_code};
}
// What a call refused with a 404 API error (10059 stream not found, 10037 no message) returns: libnats
// turns those into NATS_NOT_FOUND.
inline JsResult js_not_found(int err_code) {
  return JsResult{NATS_NOT_FOUND, err_code};
}

// A stream configuration with libnats's defaults; `subjects` must outlive the config.
jsStreamConfig stream_config(const char* name, std::vector<const char*>& subjects,
                             jsStorageType storage = js_FileStorage);

struct StreamCall {
  JsResult result;
  StreamInfoPtr info;
};
StreamCall add_stream(jsCtx* js, jsStreamConfig& config);
StreamCall update_stream(jsCtx* js, jsStreamConfig& config);
StreamCall stream_info(jsCtx* js, const char* name, const char* subjects_filter = nullptr);
// Stream info that must succeed.
StreamInfoPtr require_stream_info(jsCtx* js, const char* name);
// add_stream that must succeed.
StreamInfoPtr require_add_stream(jsCtx* js, jsStreamConfig& config);

// A publish through js_Publish / js_PublishMsg: the result, the PubAck's sequence and duplicate flag.
struct PubResult {
  JsResult result;
  std::uint64_t seq = 0;
  bool duplicate = false;
  std::string stream;
};
PubResult js_publish(jsCtx* js, const char* subject, std::string_view data,
                     const jsPubOptions* options = nullptr);
PubResult js_publish_msg(jsCtx* js, natsMsg* message, const jsPubOptions* options = nullptr);
// A publish that must be acknowledged with `expected_seq`.
void require_published(jsCtx* js, const char* subject, std::string_view data, std::uint64_t expected_seq);

// A stored message as js_GetMsg / js_GetLastMsg return it.
struct StoredMessage {
  JsResult result;
  std::string subject;
  std::string data;
  std::uint64_t seq = 0;
  MessagePtr message;  // for headers; null on error
};
StoredMessage get_msg(jsCtx* js, const char* stream, std::uint64_t seq);
StoredMessage get_last_msg(jsCtx* js, const char* stream, const char* subject);

JsResult delete_msg(jsCtx* js, const char* stream, std::uint64_t seq);
JsResult erase_msg(jsCtx* js, const char* stream, std::uint64_t seq);
JsResult delete_stream(jsCtx* js, const char* stream);
// STREAM.PURGE with the given filter/sequence/keep (0 and nullptr: not set).
JsResult purge_stream(jsCtx* js, const char* stream, const char* subject = nullptr,
                      std::uint64_t sequence = 0, std::uint64_t keep = 0);

// The state figures every test compares, gathered so one CHECK shows them all on failure.
struct StateFigures {
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;
  std::uint64_t num_deleted = 0;
  std::int64_t num_subjects = 0;
  bool operator==(const StateFigures&) const = default;
};
StateFigures state_of(const jsStreamInfo& info);
StateFigures require_state(jsCtx* js, const char* stream);

// nats-server 2.9.10's byte accounting for one stored message (what state.bytes adds up):
// filestore.go fileStoreMsgSize (record length, sequence, time, subject length, subject, payload, hash,
// plus a header length word when there are headers) and memstore.go memStoreMsgSize.
std::uint64_t file_msg_bytes(std::string_view subject, std::string_view headers, std::string_view data);
std::uint64_t memory_msg_bytes(std::string_view subject, std::string_view headers, std::string_view data);
std::uint64_t msg_bytes(jsStorageType storage, std::string_view subject, std::string_view headers,
                        std::string_view data);

}  // namespace tern::interop

namespace Catch {
template <>
struct StringMaker<tern::interop::JsResult> {
  static std::string convert(const tern::interop::JsResult& result) {
    return "{" + tern::interop::status_name(result.status) + ", err_code " + std::to_string(result.err_code) +
           "}";
  }
};
template <>
struct StringMaker<tern::interop::StateFigures> {
  static std::string convert(const tern::interop::StateFigures& s) {
    return "{messages " + std::to_string(s.messages) + ", bytes " + std::to_string(s.bytes) + ", first_seq " +
           std::to_string(s.first_seq) + ", last_seq " + std::to_string(s.last_seq) + ", num_deleted " +
           std::to_string(s.num_deleted) + ", num_subjects " + std::to_string(s.num_subjects) + "}";
  }
};
}  // namespace Catch
