// atomic_file.cpp — see atomic_file.hpp.
#include "atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "error.hpp"

namespace ember {

namespace {

// A temporary file beside `path` that did not exist before: open(O_EXCL)
// fails rather than reuse a file another writer (or a crashed run) left.
// Mode 0666 is narrowed by the umask, as for any file std::fopen creates.
int create_temporary(const std::string& path, std::string& tmp) {
  static std::atomic<uint64_t> counter{0};
  const std::string stem = path + ".tmp-" + std::to_string(::getpid()) + "-";
  for (int attempt = 0; attempt < 100; ++attempt) {
    tmp = stem + std::to_string(counter.fetch_add(1));
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  errno = EEXIST;
  return -1;
}

[[noreturn]] void fail(std::string_view op, const std::string& path, const std::string& why) {
  detail::raise<DataError>(op, op.empty() ? "" : ": ", "cannot write ", path, ": ", why);
}

}  // namespace

void write_file_atomically(const std::string& path, const std::function<bool(std::FILE*)>& fill,
                           std::string_view op) {
  std::string tmp;
  const int fd = create_temporary(path, tmp);
  if (fd < 0)
    fail(op, path, std::string("cannot create a temporary file beside it (") +
                       std::strerror(errno) + ")");
  std::FILE* f = ::fdopen(fd, "wb");
  if (!f) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    std::remove(tmp.c_str());
    fail(op, path, "cannot open the temporary file " + tmp + " (" + why + ")");
  }
  // fsync before the rename: otherwise, after a crash, the new name can
  // point at a file whose data never reached the disk.
  bool ok = fill(f) && std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    fail(op, path, why);
  }
}

void write_file_atomically(const std::string& path, std::string_view bytes, std::string_view op) {
  write_file_atomically(
      path,
      [bytes](std::FILE* f) {
        return bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
      },
      op);
}

}  // namespace ember
