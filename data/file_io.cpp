// file_io.cpp — see file_io.hpp.
#include "file_io.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "../tensor/error.hpp"

namespace ember::data::io {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// Owns a z_stream so every exit path calls inflateEnd.
struct Inflater {
  z_stream z{};
  Inflater(const std::string& name) {
    // 15 + 16: a 32 KiB window, gzip header and trailer (CRC and size checked).
    EMBER_CHECK(inflateInit2(&z, 15 + 16) == Z_OK, DataError, name, ": zlib could not start");
  }
  ~Inflater() { inflateEnd(&z); }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
};

}  // namespace

std::vector<uint8_t> read_file(const std::string& path) {
  std::error_code ec;
  EMBER_CHECK(!std::filesystem::is_directory(path, ec), DataError, "cannot open ", path,
              ": it is a directory, expected a file");
  File f(std::fopen(path.c_str(), "rb"));
  EMBER_CHECK(f != nullptr, DataError, "cannot open ", path, ": ", std::strerror(errno));
  std::vector<uint8_t> bytes;
  uintmax_t size = std::filesystem::file_size(path, ec);
  if (!ec) bytes.reserve(size);
  // Read until EOF rather than trusting the size: the file may be a pipe or growing.
  uint8_t chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, f.get())) > 0) {
    bytes.insert(bytes.end(), chunk, chunk + got);
  }
  EMBER_CHECK(!std::ferror(f.get()), DataError, "cannot read ", path, ": ", std::strerror(errno));
  return bytes;
}

bool is_gzip(std::span<const uint8_t> bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

std::vector<uint8_t> gunzip(std::span<const uint8_t> bytes, const std::string& name) {
  // The trailer's last 4 bytes hold the size mod 2^32: a good first guess when
  // the file is whole, garbage when it is cut short. So it is trusted only up
  // to 8x the compressed size (more than IDX, CIFAR or CSV files compress);
  // beyond that the buffer grows by doubling as real output arrives.
  size_t guess = bytes.size() * 4;
  if (bytes.size() >= 18) {
    size_t n = bytes.size();
    uint32_t isize =
        static_cast<uint32_t>(bytes[n - 4]) | static_cast<uint32_t>(bytes[n - 3]) << 8 |
        static_cast<uint32_t>(bytes[n - 2]) << 16 | static_cast<uint32_t>(bytes[n - 1]) << 24;
    guess = std::min<size_t>(isize, bytes.size() * 8);
  }
  std::vector<uint8_t> out(std::max<size_t>(guess, 1024));
  size_t produced = 0, consumed = 0;
  Inflater inf(name);
  z_stream& z = inf.z;
  while (true) {
    if (produced == out.size()) out.resize(out.size() * 2);
    size_t in_chunk = std::min<size_t>(bytes.size() - consumed, UINT_MAX);
    size_t out_chunk = std::min<size_t>(out.size() - produced, UINT_MAX);
    z.next_in = const_cast<Bytef*>(bytes.data() + consumed);
    z.avail_in = static_cast<uInt>(in_chunk);
    z.next_out = out.data() + produced;
    z.avail_out = static_cast<uInt>(out_chunk);
    int rc = inflate(&z, Z_NO_FLUSH);
    consumed += in_chunk - z.avail_in;
    produced += out_chunk - z.avail_out;
    if (rc == Z_STREAM_END) {
      size_t rest = bytes.size() - consumed;
      if (rest == 0) break;
      // Another gzip member follows (what `cat a.gz b.gz` makes).
      EMBER_CHECK(is_gzip(bytes.subspan(consumed)), DataError, name, ": ", rest,
                  " unexpected bytes after the end of the gzip stream");
      EMBER_CHECK(inflateReset(&z) == Z_OK, DataError, name, ": zlib could not restart");
      continue;
    }
    EMBER_CHECK(rc != Z_DATA_ERROR, DataError, name, ": corrupt gzip stream (",
                z.msg ? z.msg : "invalid data", ") after ", produced, " decompressed bytes");
    EMBER_CHECK(rc == Z_OK || rc == Z_BUF_ERROR, DataError, name, ": zlib error ", rc, " after ",
                produced, " decompressed bytes");
    // Input used up, room left for output, and no end marker: the file was cut short.
    bool out_of_input = consumed == bytes.size() && z.avail_out > 0;
    EMBER_CHECK(!out_of_input, DataError, name,
                ": truncated gzip stream: the compressed data ends after ", produced,
                " decompressed bytes, before the end-of-stream marker");
  }
  out.resize(produced);
  return out;
}

std::vector<uint8_t> read_maybe_gzip(const std::string& path) {
  std::vector<uint8_t> bytes = read_file(path);
  return is_gzip(bytes) ? gunzip(bytes, path) : bytes;
}

void require_directory(const std::string& path, const char* what) {
  std::error_code ec;
  EMBER_CHECK(std::filesystem::is_directory(path, ec), DataError, what, ": ", path,
              " is not a directory (",
              std::filesystem::exists(path, ec) ? "it is a file" : "it does not exist", ")");
}

}  // namespace ember::data::io
