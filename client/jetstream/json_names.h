// The JSON names of the JetStream enumerations (nats.go's), shared by the codec's request writers and
// response readers. Private to the library.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace tern::client::jetstream::json::detail {

// Indexed by the enum's value.
inline constexpr std::array<std::string_view, 3> kRetentionNames = {"limits", "interest", "workqueue"};
inline constexpr std::array<std::string_view, 2> kStorageNames = {"file", "memory"};
inline constexpr std::array<std::string_view, 2> kDiscardNames = {"old", "new"};
inline constexpr std::array<std::string_view, 6> kDeliverNames = {
    "all", "last", "new", "by_start_sequence", "by_start_time", "last_per_subject"};
inline constexpr std::array<std::string_view, 3> kAckNames = {"none", "all", "explicit"};
inline constexpr std::array<std::string_view, 2> kReplayNames = {"instant", "original"};

template <typename Enum, std::size_t N>
std::string_view name_of(Enum value, const std::array<std::string_view, N>& names) {
  const auto index = static_cast<std::size_t>(value);
  // Only a cast makes a value outside the enum; writing "" lets the server refuse the request rather
  // than the client sending a policy nobody asked for.
  return index < N ? names[index] : std::string_view{};
}

template <typename Enum, std::size_t N>
std::optional<Enum> enum_named(std::string_view name, const std::array<std::string_view, N>& names) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace tern::client::jetstream::json::detail
