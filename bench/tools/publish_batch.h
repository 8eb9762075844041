// A pre-formatted run of identical PUB frames, written to the socket in one system call. Building
// the frames once keeps the publisher's cost per message near zero, so the server, not the tool, is
// what saturates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tern::bench {

// Loopback writes of exactly 64 KiB run at half speed on the kernels we measure on (each one sends a
// tiny extra segment), so batches aim inside 32-60 KB.
inline constexpr std::size_t kTargetBatchBytes = 48 * 1024;

class PublishBatch {
 public:
  // Frames of `PUB <subject> <size>\r\n<payload>\r\n`, as many as fit in kTargetBatchBytes (at least one).
  PublishBatch(std::string_view subject, std::size_t payload_size);

  std::size_t frames() const noexcept { return frames_; }
  std::size_t frame_bytes() const noexcept { return frame_bytes_; }
  std::size_t payload_size() const noexcept { return payload_size_; }
  // The first `count` frames (count <= frames()), ready to write.
  std::string_view first(std::size_t count) const noexcept {
    return std::string_view(bytes_).substr(0, count * frame_bytes_);
  }

 private:
  std::size_t payload_size_;
  std::size_t frame_bytes_ = 0;
  std::size_t frames_ = 0;
  std::string bytes_;
};

}  // namespace tern::bench
