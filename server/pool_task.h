// Slow work (disk syncs, file writes and removals) on libuv's thread pool, so that the loop never waits
// on a disk. The result comes back to the loop thread.
#pragma once

#include <uv.h>

#include <functional>
#include <string>

namespace tern::server {

// Runs `work` on a pool thread, then `done` on the loop thread with what `work` returned (by convention
// an empty string for success, else what failed). `work` must touch nothing the loop thread uses
// meanwhile. When the task cannot be queued, `done` runs at once with the reason. Exceptions thrown by
// either function are caught and turned into a failure text (for `work`) or dropped (for `done`).
void run_on_pool(uv_loop_t* loop, std::function<std::string()> work, std::function<void(std::string)> done);

}  // namespace tern::server
