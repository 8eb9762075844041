// Sanitizer settings for the interop test binary only (ternd, which the tests start, keeps the defaults).
//
// libnats 3.4.1's kvStore_PurgeDeletes never destroys the entries of keys that are not delete markers,
// and each entry holds its bucket, JetStream context and connection: LeakSanitizer reports the whole
// connection. That leak is the library's, so it is suppressed by the one function's name. libnats is
// built without frame pointers, so matching that name needs the slow unwinder for allocations; the
// interop tests are not allocation-bound, so the cost is small.
#if defined(__SANITIZE_ADDRESS__)
extern "C" const char* __asan_default_options() {
  return "fast_unwind_on_malloc=0";
}
extern "C" const char* __lsan_default_suppressions() {
  return "leak:kvStore_PurgeDeletes\n";
}
#endif
