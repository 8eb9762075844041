// The policies of a consumer's configuration, as nats-server 2.9.10 names them (consumer.go).
#pragma once

#include <cstdint>

namespace tern::server::jetstream {

enum class DeliverPolicy : std::uint8_t {
  kAll,
  kLast,
  kNew,
  kByStartSequence,
  kByStartTime,
  kLastPerSubject
};
enum class AckPolicy : std::uint8_t { kNone, kAll, kExplicit };
enum class ReplayPolicy : std::uint8_t { kInstant, kOriginal };

}  // namespace tern::server::jetstream
