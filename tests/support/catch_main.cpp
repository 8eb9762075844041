// The one translation unit that instantiates Catch2's runner; compiled once and shared by every test
// executable.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
