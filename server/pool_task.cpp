#include "server/pool_task.h"

#include <exception>
#include <memory>

namespace tern::server {
namespace {

struct PoolTask {
  uv_work_t request{};
  std::function<std::string()> work;
  std::function<void(std::string)> done;
  std::string result;
};

void finish(PoolTask& task, std::string result) noexcept {
  try {
    if (task.done) task.done(std::move(result));
  } catch (...) {
    // The completion's own failure has no one left to report to.
  }
}

void run_work(uv_work_t* request) noexcept {
  auto* task = static_cast<PoolTask*>(request->data);
  try {
    task->result = task->work();
  } catch (const std::exception& e) {
    task->result = e.what();
  } catch (...) {
    task->result = "unknown failure";
  }
}

void after_work(uv_work_t* request, int status) noexcept {
  std::unique_ptr<PoolTask> task(static_cast<PoolTask*>(request->data));
  if (status == UV_ECANCELED) task->result = "cancelled";
  finish(*task, std::move(task->result));
}

}  // namespace

void run_on_pool(uv_loop_t* loop, std::function<std::string()> work, std::function<void(std::string)> done) {
  auto task = std::make_unique<PoolTask>();
  task->work = std::move(work);
  task->done = std::move(done);
  task->request.data = task.get();
  if (const int rc = uv_queue_work(loop, &task->request, run_work, after_work); rc != 0) {
    finish(*task, std::string("uv_queue_work: ") + uv_strerror(rc));
    return;
  }
  task.release();  // Owned by the request until after_work.
}

}  // namespace tern::server
