// Message headers: the `NATS/1.0` block of HPUB and HMSG. A multimap of fields (keys are
// case-sensitive, as nats-server and nats.go treat them; a key may repeat), plus the optional status
// code and description of the first line (`NATS/1.0 503`), which servers use for control messages.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace tern::client {

class Headers {
 public:
  using Map = std::multimap<std::string, std::string, std::less<>>;

  Headers() = default;
  Headers(std::initializer_list<std::pair<const std::string, std::string>> fields) : fields_(fields) {}

  // Adds a value, keeping values already present under the key.
  void add(std::string key, std::string value) { fields_.emplace(std::move(key), std::move(value)); }
  // Replaces every value of the key with this one.
  void set(std::string key, std::string value);
  // Removes every value of the key; returns how many there were.
  std::size_t erase(std::string_view key);

  // The first value of the key, if any.
  std::optional<std::string_view> get(std::string_view key) const;
  std::vector<std::string_view> get_all(std::string_view key) const;
  bool contains(std::string_view key) const { return fields_.find(key) != fields_.end(); }

  const Map& fields() const noexcept { return fields_; }
  bool empty() const noexcept { return fields_.empty() && status_ == 0; }
  std::size_t size() const noexcept { return fields_.size(); }
  Map::const_iterator begin() const noexcept { return fields_.begin(); }
  Map::const_iterator end() const noexcept { return fields_.end(); }

  // The status code of the first line (503 for "no responders"); 0 when the line carries none.
  int status() const noexcept { return status_; }
  // The text after the status code, e.g. "No Messages"; empty when absent.
  const std::string& description() const noexcept { return description_; }
  void set_status(int code, std::string description = {});

  friend bool operator==(const Headers&, const Headers&) = default;

 private:
  Map fields_;
  int status_ = 0;
  std::string description_;
};

// Appends the wire form: `NATS/1.0[ status[ description]]\r\n`, `Key: Value\r\n` per field, `\r\n`.
// Returns kInvalidHeader when a key is empty or holds ':', whitespace or control bytes, or a value
// holds CR or LF, and then leaves `out` as it was.
std::error_code encode_headers(const Headers& headers, std::string& out);

// Parses a header block as received in HMSG (the bytes counted by its header size). Returns
// std::nullopt when the block does not start with `NATS/1.0` or a line is malformed. Values are
// trimmed of surrounding blanks; a line without ':' is rejected.
std::optional<Headers> decode_headers(std::string_view block);

}  // namespace tern::client
