// file_io.hpp — reading whole files and gunzip (internal to data/).
//
// Every loader reads its file in one go and parses from memory: one read
// syscall, no partial-read states to get wrong, and the parsers can be fuzzed
// on byte buffers. Not installed: the public headers never include it.
// Writing goes through tensor/atomic_file.hpp, shared with nn/serialize.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ember::data::io {

// The whole file. Throws DataError "cannot open <path>: <reason>".
std::vector<uint8_t> read_file(const std::string& path);

// True when the bytes start with the gzip magic 1f 8b.
bool is_gzip(std::span<const uint8_t> bytes);

// Inflates a complete gzip stream (several members are concatenated, as gzip
// itself does). `name` is the file the bytes came from, for messages: a
// truncated or corrupt stream is a DataError, never a short result.
std::vector<uint8_t> gunzip(std::span<const uint8_t> bytes, const std::string& name);

// read_file, then gunzip when the content is gzip (whatever the file is called).
std::vector<uint8_t> read_maybe_gzip(const std::string& path);

// Fails with DataError when `path` is not an existing directory.
void require_directory(const std::string& path, const char* what);

}  // namespace ember::data::io
