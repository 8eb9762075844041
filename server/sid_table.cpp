#include "server/sid_table.h"

namespace tern::server {

SidTable::~SidTable() {
  subscriptions_.for_each([](Subscription* sub) { delete sub; });
}

void SidTable::insert(std::unique_ptr<Subscription> sub) {
  // Ownership moves only once the table holds the pointer: when inserting throws, `sub` still frees it.
  subscriptions_.insert(sub.get());
  sub.release();
}

}  // namespace tern::server
