// A tag unique to one run, for the inbox subjects of its clients.
#pragma once

#include <string>

namespace tern::bench {

// Sixteen random hexadecimal digits. Inboxes named with it keep concurrent runs on one server from
// receiving each other's replies.
std::string random_run_tag();

}  // namespace tern::bench
