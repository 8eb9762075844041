// A stream's files besides its store: meta.json (its configuration and creation time), written so that
// a crash leaves either the old file or the new one, and the removal of a deleted stream's directory.
// The writes that must be durable before an API reply run on libuv's thread pool.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::server::jetstream {

inline constexpr std::string_view kMetaFileName = "meta.json";

// Writes `contents` to <dir>/<name> through a temporary file and a rename, without syncing: the
// loop-thread half of a durable write (the file is in the kernel when this returns). Returns an empty
// string or what failed.
std::string replace_file(const std::string& dir, std::string_view name, std::string_view contents);
// fsyncs <dir>/<name> and then <dir> itself: the pool half. Returns an empty string or what failed.
std::string sync_file_and_directory(const std::string& dir, std::string_view name);
// Reads a whole file; nullopt with `error` set when it cannot.
std::optional<std::string> read_file(const std::string& path, std::string& error);
// Removes a directory tree (for the pool). Returns an empty string or what failed.
std::string remove_tree(const std::string& path);
// Makes `path` and its missing parents. Returns an empty string or what failed.
std::string make_directories(const std::string& path);
// The names of the subdirectories of `dir` (not starting with '.'); `error` set when it cannot be read.
std::vector<std::string> list_directories(const std::string& dir, std::string& error);

}  // namespace tern::server::jetstream
