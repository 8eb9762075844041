#include "bench/tools/publish_batch.h"

#include "protocol/frames.h"

namespace tern::bench {

PublishBatch::PublishBatch(std::string_view subject, std::size_t payload_size) : payload_size_(payload_size) {
  std::string frame(protocol::pub_line_size(subject, {}, 0, payload_size, false), '\0');
  protocol::write_pub_line(frame.data(), subject, {}, 0, payload_size, false);
  // A recognisable, printable payload makes a captured stream easy to read.
  for (std::size_t i = 0; i < payload_size; ++i)
    frame.push_back(static_cast<char>('a' + i % 26));
  frame.append("\r\n");
  frame_bytes_ = frame.size();
  frames_ = frame_bytes_ >= kTargetBatchBytes ? 1 : kTargetBatchBytes / frame_bytes_;
  bytes_.reserve(frames_ * frame_bytes_);
  for (std::size_t i = 0; i < frames_; ++i)
    bytes_.append(frame);
}

}  // namespace tern::bench
