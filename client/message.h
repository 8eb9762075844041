// A message as delivered to a subscription handler or returned by a request. It owns its bytes, so a
// handler may keep it or move from it.
#pragma once

#include <string>

#include "client/headers.h"

namespace tern::client {

struct Message {
  std::string subject;
  std::string reply;  // Empty when the publisher gave no reply subject.
  std::string data;
  Headers headers;  // Empty unless the message came as HMSG.
  bool has_headers = false;
};

}  // namespace tern::client
