// Reading a message's header block ("NATS/1.0[ status]\r\nKey: value\r\n...\r\n\r\n") the way
// nats-server's getHeader does, so that a header ternd acts on (Nats-Msg-Id, Nats-Expected-*,
// Nats-Rollup) is found, or missed, exactly when nats-server finds or misses it.
#pragma once

#include <optional>
#include <string_view>

namespace tern::protocol {

// The value of header `name` in `block`: nats-server looks at the first occurrence of `name` anywhere
// in the block only, and takes it when it starts a line and is followed by ':'; leading spaces of the
// value are skipped and it ends at CRLF. Case matters. nullopt when not found (an empty value is found).
std::optional<std::string_view> find_header(std::string_view block, std::string_view name) noexcept;

}  // namespace tern::protocol
