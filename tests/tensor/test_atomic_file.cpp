// test_atomic_file.cpp — write_file_atomically: the content arrives whole,
// replaces the old file, leaves no temporary file behind, and a failure
// names the path and keeps the old content.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tensor/atomic_file.hpp"
#include "tensor/error.hpp"

using namespace ember;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("ember-atomic-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("write_file_atomically writes, replaces, and leaves only the target") {
  TempDir dir;
  const std::string path = (dir.path / "a.txt").string();
  write_file_atomically(path, "first");
  write_file_atomically(path, std::string_view("second, longer"));
  CHECK(read_text(path) == "second, longer");
  write_file_atomically(path, [](std::FILE* f) { return std::fputs("streamed", f) >= 0; });
  CHECK(read_text(path) == "streamed");
  write_file_atomically(path, "");
  CHECK(read_text(path).empty());
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);

  // The permissions std::fopen would give: 0666 less the umask.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == (0666 & ~mask));
}

TEST_CASE("write_file_atomically: a failure names the path and keeps the old file") {
  TempDir dir;
  const std::string missing = (dir.path / "no/such/dir/x.bin").string();
  const std::string plain = "cannot write " + missing + ": cannot create a temporary file";
  const std::string with_op = "save_npy: " + plain;
  CHECK_THROWS_WITH_AS(write_file_atomically(missing, "x"), doctest::Contains(plain.c_str()),
                       DataError);
  CHECK_THROWS_WITH_AS(write_file_atomically(missing, "x", "save_npy"),
                       doctest::Contains(with_op.c_str()), DataError);

  const std::string path = (dir.path / "keep.txt").string();
  write_file_atomically(path, "old");
  CHECK_THROWS_AS(write_file_atomically(path, [](std::FILE*) { return false; }), DataError);
  CHECK(read_text(path) == "old");
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}
