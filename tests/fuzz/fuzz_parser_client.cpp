// libFuzzer target: the parser reading the ops a client sends (the server side). See parser_fuzz.h.
#include "tests/fuzz/parser_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return tern::fuzz::fuzz_parser(tern::protocol::Direction::kFromClient, data, size);
}
