// A monitoring request's query string, read the way nats-server reads it (Go's url.ParseQuery and
// Values.Get), and the decoders whose failures become 400s with nats-server's exact texts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tern::server::monitor {

class Query {
 public:
  Query() = default;
  // `raw` is the part of the request target after '?', still percent-encoded. Pairs Go's ParseQuery
  // drops are dropped here too: an empty pair, one holding ';', or one with a bad %-escape.
  explicit Query(std::string_view raw);

  // The first value given for `key`, decoded; "" when absent (Go's Values.Get).
  std::string get(std::string_view key) const;

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// What a decoder returns: the value, or the 400 text when the parameter's value is malformed.
template <typename T>
struct Decoded {
  T value{};
  std::string error;  // Empty when the value was good or absent.
  bool ok() const { return error.empty(); }
};

// The parameter as Go's strconv.ParseBool reads it (1 t T TRUE true True, 0 f F FALSE false False);
// false when absent. Bad: "Error decoding boolean for 'subs': strconv.ParseBool: parsing "x": invalid
// syntax".
Decoded<bool> decode_bool(const Query& query, std::string_view param);

// The parameter as strconv.Atoi reads it (decimal, optional sign, 64-bit); 0 when absent.
Decoded<std::int64_t> decode_int(const Query& query, std::string_view param);

// The parameter as strconv.ParseUint(s, 10, 64) reads it (decimal digits only); 0 when absent.
Decoded<std::uint64_t> decode_uint64(const Query& query, std::string_view param);

// `s` as Go's strconv.Quote writes it, which is how strconv errors quote the text they reject.
std::string go_quote(std::string_view s);

}  // namespace tern::server::monitor
