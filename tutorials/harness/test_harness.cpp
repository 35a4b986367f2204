// test_harness.cpp — the tutorial harness: --help, the output folder rule
// (refusal and its message, --overwrite), the exit codes.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "harness.hpp"

namespace fs = std::filesystem;

namespace {

// What a run printed on stdout and stderr, and its exit code.
struct Result {
  int code;
  std::string out, err;
};

// Runs a chapter that writes `files` (each holding "new") through the harness
// with these arguments, as main() would.
Result run_chapter(std::vector<std::string> args, const std::vector<std::string>& files = {"a.txt"},
                   bool fail = false) {
  args.insert(args.begin(), "tutorial-test");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
  tutorial::Options options{.epochs = 7, .output = "unused-default"};
  CLI::App app{"a test chapter"};
  int64_t size = 3;
  app.add_option("--size", size, "a chapter's own option")->capture_default_str();
  const int code = tutorial::run(app, options, static_cast<int>(argv.size()), argv.data(),
                                 [&](tutorial::Run& run) {
                                   for (const std::string& f : files)
                                     std::ofstream(run.file(f)) << "new";
                                   if (fail) throw std::runtime_error("it broke");
                                 });
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  return {code, out.str(), err.str()};
}

// A fresh, empty scratch folder for one test case, under the working
// directory (meson runs this test in the build's tutorials/ folder).
fs::path scratch(const std::string& name) {
  const fs::path dir = fs::absolute("harness-test-scratch") / name;
  fs::remove_all(dir);
  return dir;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("--help lists the common options with the chapter's defaults, and its own") {
  const Result r = run_chapter({"--help"});
  CHECK(r.code == 0);
  for (const char* option : {"--quick", "--epochs", "--batch-size", "--data", "--output",
                             "--threads", "--seed", "--overwrite", "--size"})
    CHECK_MESSAGE(r.out.find(option) != std::string::npos, option);
  CHECK(r.out.find("unused-default") != std::string::npos);  // the chapter's default --output
  CHECK(r.out.find('7') != std::string::npos);               // its default --epochs
}

TEST_CASE("a bad command line is refused with CLI11's message and a non-zero code") {
  const Result r = run_chapter({"--epochs", "0"});
  CHECK(r.code != 0);
  CHECK(r.err.find("--epochs") != std::string::npos);
}

TEST_CASE("a new folder is created, marked, and the total time printed") {
  const fs::path dir = scratch("new") / "nested";
  const Result r = run_chapter({"--output", dir.string()}, {"a.txt", "b.svg"});
  REQUIRE(r.code == 0);
  CHECK(read(dir / "a.txt") == "new");
  const std::string marker = read(dir / tutorial::kMarkerName);
  CHECK(marker.find("\na.txt\nb.svg\n") != std::string::npos);
  CHECK(marker.find("--output " + dir.string()) != std::string::npos);  // the command
  CHECK(r.out.find("wrote in " + dir.string() + "/: a.txt b.svg") != std::string::npos);
  CHECK(r.out.find("total time: ") != std::string::npos);
}

TEST_CASE("an earlier run's folder is refused without --overwrite, and left as it was") {
  const fs::path dir = scratch("earlier");
  REQUIRE(run_chapter({"--output", dir.string()}).code == 0);
  std::ofstream(dir / "a.txt") << "the earlier run's";
  const Result r = run_chapter({"--output", dir.string()});
  CHECK(r.code == 2);
  CHECK(r.err == "tutorial-test: --output " + dir.string() +
                     " holds an earlier run's results (see " +
                     (dir / tutorial::kMarkerName).string() +
                     "); pass --overwrite to replace them, or choose another --output\n");
  CHECK(read(dir / "a.txt") == "the earlier run's");
  CHECK(r.out.find("total time") == std::string::npos);  // the chapter did not run
}

TEST_CASE("--overwrite removes the earlier run's files and no other") {
  const fs::path dir = scratch("overwrite");
  REQUIRE(run_chapter({"--output", dir.string()}, {"a.txt", "old.svg"}).code == 0);
  std::ofstream(dir / "mine.txt") << "a user's file";
  const Result r = run_chapter({"--output", dir.string(), "--overwrite"}, {"a.txt"});
  CHECK(r.code == 0);
  CHECK(read(dir / "a.txt") == "new");
  CHECK_FALSE(fs::exists(dir / "old.svg"));               // the earlier run wrote it
  CHECK(read(dir / "mine.txt") == "a user's file");       // the harness did not
  const std::string marker = read(dir / tutorial::kMarkerName);
  CHECK(marker.find("old.svg") == std::string::npos);
}

TEST_CASE("a folder the harness did not write is refused; --overwrite writes beside its files") {
  const fs::path dir = scratch("foreign");
  fs::create_directories(dir);
  std::ofstream(dir / "thesis.tex") << "months of work";
  const Result refused = run_chapter({"--output", dir.string()});
  CHECK(refused.code == 2);
  CHECK(refused.err.find("is not empty and was not written by an ember tutorial") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(dir / tutorial::kMarkerName));
  const Result forced = run_chapter({"--output", dir.string(), "--overwrite"});
  CHECK(forced.code == 0);
  CHECK(read(dir / "thesis.tex") == "months of work");
  CHECK(read(dir / "a.txt") == "new");
}

TEST_CASE("a file given as --output is refused") {
  const fs::path dir = scratch("file");
  fs::create_directories(dir);
  std::ofstream(dir / "f") << "x";
  const Result r = run_chapter({"--output", (dir / "f").string(), "--overwrite"});
  CHECK(r.code == 2);
  CHECK(r.err.find("is a file, not a folder") != std::string::npos);
}

TEST_CASE("a chapter that throws exits with 1 and its message; its files stay listed") {
  const fs::path dir = scratch("throws");
  const Result r = run_chapter({"--output", dir.string()}, {"a.txt"}, /*fail=*/true);
  CHECK(r.code == 1);
  CHECK(r.err == "tutorial-test: it broke\n");
  CHECK(read(dir / tutorial::kMarkerName).find("\na.txt\n") != std::string::npos);
}

TEST_CASE("Run::file takes plain names only (--overwrite removes what the marker lists)") {
  const fs::path dir = scratch("names");
  for (const char* name : {"../escape.txt", "sub/a.txt", ""}) {
    const Result r = run_chapter({"--output", dir.string(), "--overwrite"}, {name});
    CHECK_MESSAGE(r.code == 1, name);
    CHECK(r.err.find("is not a plain file name") != std::string::npos);
  }
}

TEST_CASE("a chapter's last line comes after the total time") {
  const char* argv[] = {"tutorial-test", "--output", "unused", "--overwrite"};
  const fs::path dir = scratch("last-line");
  const std::string output = dir.string();
  argv[2] = output.c_str();
  std::ostringstream out;
  std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
  tutorial::Options options;
  CLI::App app{"a test chapter"};
  const int code = tutorial::run(app, options, 4, argv, [](tutorial::Run& run) {
    run.set_last_line("test accuracy: 0.9110");
  });
  std::cout.rdbuf(old_out);
  CHECK(code == 0);
  const std::string s = out.str();
  CHECK(s.find("total time: ") != std::string::npos);
  CHECK(s.size() > 22);
  CHECK(s.substr(s.size() - 22) == "test accuracy: 0.9110\n");
}
