#include "protocol/header_block.h"

namespace tern::protocol {

std::optional<std::string_view> find_header(std::string_view block, std::string_view name) noexcept {
  if (block.empty() || name.empty()) return std::nullopt;
  std::size_t index = block.find(name);
  if (index == std::string_view::npos) return std::nullopt;
  // Only the first occurrence counts, and only at the start of a line.
  if (index < 2 || block[index - 1] != '\n' || block[index - 2] != '\r') return std::nullopt;
  index += name.size();
  if (index >= block.size() || block[index] != ':') return std::nullopt;
  ++index;
  while (index < block.size() && block[index] == ' ')
    ++index;
  const std::size_t end = block.find("\r\n", index);
  return block.substr(index, end == std::string_view::npos ? std::string_view::npos : end - index);
}

}  // namespace tern::protocol
