#include "server/jetstream/jetstream.h"

#include <sys/statvfs.h>
#include <sys/sysinfo.h>

#include <chrono>
#include <cstdlib>

#include "server/jetstream/stream_files.h"
#include "server/jetstream/stream_meta.h"
#include "server/log.h"
#include "server/server.h"

namespace tern::server::jetstream {
namespace {

std::string default_store_dir() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

// nats-server's dynJetStreamConfig defaults (jetstream.go, sysmem/mem_linux.go, disk_avail.go).
constexpr std::int64_t kDefaultMaxMemory = std::int64_t{256} * 1024 * 1024;
constexpr std::int64_t kDefaultMaxStorage = std::int64_t{1024} * 1024 * 1024 * 1024;

std::int64_t default_max_memory() noexcept {
  struct sysinfo info {};
  if (sysinfo(&info) != 0) return kDefaultMaxMemory;
  const auto total = static_cast<std::int64_t>(info.totalram) * static_cast<std::int64_t>(info.mem_unit);
  return total > 0 ? total / 4 * 3 : kDefaultMaxMemory;
}

std::int64_t default_max_storage(const std::string& dir) noexcept {
  struct statvfs fs {};
  if (statvfs(dir.c_str(), &fs) != 0) return kDefaultMaxStorage;
  // Go's Statfs_t: Bavail * Bsize; statvfs's f_bsize is the same figure on Linux.
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(fs.f_bavail) *
                                   static_cast<std::uint64_t>(fs.f_bsize) / 4 * 3);
}

}  // namespace

JetStream::JetStream(Server& server, const JetStreamOptions& options)
    : server_(server),
      options_(options),
      root_((options.store_dir.empty() ? default_store_dir() : options.store_dir) + "/jetstream"),
      client_(server, "JetStream") {}

JetStream::~JetStream() {
  for (auto& [name, stream] : streams_)
    stream->release(client_);
}

uv_loop_t* JetStream::loop() noexcept {
  return server_.loop();
}

Logger& JetStream::log() noexcept {
  return server_.log();
}

std::int64_t JetStream::now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string JetStream::start() {
  if (std::string error = make_directories(root_); !error.empty()) {
    return "JetStream could not use its store directory: " + error;
  }
  max_memory_ = options_.max_memory_store >= 0 ? options_.max_memory_store : default_max_memory();
  max_storage_ = options_.max_file_store >= 0 ? options_.max_file_store : default_max_storage(root_);
  log().info("Starting JetStream");
  log().info("    Store directory:  \"" + root_ + "\"");
  log().info("    Sync:             " + (options_.sync_always
                                             ? std::string("always (every PubAck after fdatasync)")
                                             : std::to_string(options_.sync_interval.count()) +
                                                   "ms (PubAck once written to the kernel)"));
  recover_streams();
  update_usage();
  if (client_.subscribe("$JS.API.>", "", [this](const Subscription&, const RoutedMessage& msg) {
        handle_api(msg);
      }) == nullptr) {
    return "JetStream could not subscribe its API";
  }
  if (const int rc = uv_timer_init(loop(), &sync_timer_); rc != 0)
    return std::string("uv_timer_init: ") + uv_strerror(rc);
  if (const int rc = uv_timer_init(loop(), &expiry_timer_); rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&sync_timer_), nullptr);
    return std::string("uv_timer_init: ") + uv_strerror(rc);
  }
  timers_open_ = true;
  sync_timer_.data = this;
  expiry_timer_.data = this;
  const auto interval = static_cast<std::uint64_t>(options_.sync_interval.count());
  if (!options_.sync_always) {
    if (const int rc = uv_timer_start(&sync_timer_, on_sync_timer, interval, interval); rc != 0)
      return std::string("uv_timer_start: ") + uv_strerror(rc);
    uv_unref(reinterpret_cast<uv_handle_t*>(&sync_timer_));
  }
  uv_unref(reinterpret_cast<uv_handle_t*>(&expiry_timer_));
  run_expiry();
  return start_consumer_timers();
}

void JetStream::recover_streams() {
  std::string error;
  const std::vector<std::string> names = list_directories(root_, error);
  if (!error.empty()) {
    log().error("JetStream could not list " + root_ + ": " + error);
    return;
  }
  const std::int64_t now = now_ns();
  for (const std::string& name : names) {
    const std::string dir = root_ + "/" + name;
    std::string read_error;
    std::optional<std::string> text = read_file(dir + "/" + std::string(kMetaFileName), read_error);
    if (!text) {
      log().warn("JetStream skipped " + dir + ": " + read_error);
      continue;
    }
    std::string decode_error;
    std::optional<StreamMeta> meta = decode_stream_meta(*text, decode_error);
    if (!meta) {
      log().error("JetStream skipped " + dir + ": " + decode_error);
      continue;
    }
    stream::StoreError store_error;
    stream::RecoveryReport report;
    std::unique_ptr<stream::StreamStore> store =
        open_stream_store(meta->config, dir, now, report, store_error);
    if (store == nullptr) {
      log().error("JetStream could not recover stream '" + meta->config.name + "': " + store_error.message);
      continue;
    }
    for (const std::string& note : report.notes)
      log().warn("JetStream stream '" + meta->config.name + "': " + note);
    auto recovered =
        std::make_shared<Stream>(*this, std::move(meta->config), meta->created_ns, std::move(store));
    recovered->mark_recovered();
    if (!recovered->capture(client_)) {
      log().error("JetStream could not subscribe the subjects of stream '" + recovered->name() + "'");
      continue;
    }
    const stream::StoreState state = recovered->store().state();
    log().info("  Restored " + std::to_string(state.msgs) + " messages for stream '$G > " +
               recovered->name() + "' in " + std::to_string(static_cast<long long>(report.seconds * 1000)) +
               "ms");
    recover_consumers(recovered, dir);
    streams_.emplace(recovered->name(), std::move(recovered));
  }
}

bool JetStream::end_of_turn() noexcept {
  // Deliveries first, so that this turn's flush carries them with the PubAcks.
  const bool carried = run_ready_consumers();
  if (dirty_.empty()) return carried;
  // Flushing sends PubAcks, which may make handlers append again only in a later turn (a PubAck goes
  // to a reply subject, not to a stream), so the list cannot grow while it is walked; swap it anyway.
  std::vector<std::weak_ptr<Stream>> dirty;
  dirty.swap(dirty_);
  for (const std::weak_ptr<Stream>& weak : dirty) {
    if (auto stream = weak.lock()) stream->flush();
  }
  update_usage();
  return carried;
}

void JetStream::update_usage() noexcept {
  const bool memory_over = static_cast<std::int64_t>(memory_bytes()) > max_memory_;
  const bool storage_over = static_cast<std::int64_t>(storage_bytes()) > max_storage_;
  if ((memory_over && !memory_over_) || (storage_over && !storage_over_)) {
    log().warn(std::string("JetStream resource limits exceeded for server: ") +
               (storage_over
                    ? "storage " + std::to_string(storage_bytes()) + " of " + std::to_string(max_storage_)
                    : "memory " + std::to_string(memory_bytes()) + " of " + std::to_string(max_memory_)) +
               " bytes; publishes are refused until streams shrink");
  }
  memory_over_ = memory_over;
  storage_over_ = storage_over;
}

void JetStream::mark_dirty(Stream& stream) {
  dirty_.push_back(stream.weak_from_this());
}

void JetStream::send(std::string_view subject, std::string_view headers, std::string_view body,
                     bool internal_framing) {
  client_.publish(subject, "", headers, body, internal_framing);
}

void JetStream::on_sync_timer(uv_timer_t* timer) noexcept {
  auto* service = static_cast<JetStream*>(timer->data);
  for (auto& [name, stream] : service->streams_)
    stream->sync();
}

void JetStream::schedule_expiry(std::int64_t deadline_ns) noexcept {
  if (deadline_ns <= 0 || !timers_open_) return;
  if (expiry_armed_ns_ != 0 && expiry_armed_ns_ <= deadline_ns) return;
  expiry_armed_ns_ = deadline_ns;
  const std::int64_t delay_ns = deadline_ns - now_ns();
  const auto delay_ms = static_cast<std::uint64_t>(delay_ns <= 0 ? 0 : delay_ns / 1'000'000 + 1);
  if (const int rc = uv_timer_start(&expiry_timer_, on_expiry_timer, delay_ms, 0); rc != 0)
    log().error(std::string("JetStream expiry timer: ") + uv_strerror(rc));
}

void JetStream::on_expiry_timer(uv_timer_t* timer) noexcept {
  static_cast<JetStream*>(timer->data)->run_expiry();
}

void JetStream::run_expiry() noexcept {
  expiry_armed_ns_ = 0;
  const std::int64_t now = now_ns();
  std::int64_t next = 0;
  for (auto& [name, stream] : streams_) {
    const std::int64_t deadline = stream->expire(now);
    if (deadline > 0 && (next == 0 || deadline < next)) next = deadline;
  }
  if (next > 0) schedule_expiry(next);
}

void JetStream::shutdown() noexcept {
  end_of_turn();
  write_consumer_states(true);
  close_consumer_timers();
  for (auto& [name, stream] : streams_) {
    stream->flush();
    stream->sync();
  }
  if (timers_open_) {
    timers_open_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&sync_timer_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&expiry_timer_), nullptr);
  }
}

std::uint64_t JetStream::memory_bytes() const noexcept {
  std::uint64_t total = 0;
  for (const auto& [name, stream] : streams_)
    if (stream->store().kind() == stream::StorageKind::kMemory) total += stream->store().state().bytes;
  return total;
}

std::uint64_t JetStream::storage_bytes() const noexcept {
  std::uint64_t total = 0;
  for (const auto& [name, stream] : streams_)
    if (stream->store().kind() == stream::StorageKind::kFile) total += stream->store().state().bytes;
  return total;
}

}  // namespace tern::server::jetstream
