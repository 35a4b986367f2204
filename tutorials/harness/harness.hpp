// harness.hpp — what every tutorial program shares: its command line, its
// output folder, its seed and threads, and the total time at the end.
//
// A tutorial's main() is one call; the chapter sets its defaults and adds its
// own options before it:
//
//   int main(int argc, char** argv) {
//     tutorial::Options options{.output = "01-tensors-output"};  // this chapter's defaults
//     CLI::App app{"Chapter 1: tensors"};
//     app.add_option("--rows", rows, "rows of the example tensor");  // its own options
//     return tutorial::run(app, options, argc, argv, chapter);       // chapter(tutorial::Run&)
//   }
//
// run() adds the common options, parses the command line, claims the output
// folder, sets the threads and the seed, calls the chapter, lists the files
// it wrote and prints the total time (then the chapter's last line, if it set one). It returns main's exit code: 0 done,
// 1 the chapter threw, 2 the output folder was refused, CLI11's code for a
// bad command line (0 for --help).
//
// The output folder rule: nothing a user made is silently replaced. A run
// writes a marker file (ember-run.txt) listing the files it wrote. A folder
// holding a marker holds an earlier run's results; a non-empty folder without
// one holds someone else's files. Both are refused unless --overwrite, which
// removes the files the earlier run's marker lists and never any other file.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "ember.hpp"

namespace tutorial {

// The options every tutorial has. A chapter changes the defaults it needs
// before calling run(); chapters that do not train ignore epochs and batch size.
struct Options {
  bool quick = false;        // a small, fast version: what the test suite runs
  int64_t epochs = 1;
  int64_t batch_size = 32;
  std::string data = ember::data::kFashionMNISTRoot;
  std::string output = "tutorial-output";
  int threads = 0;           // 0: ember's default (the cores, or EMBER_NUM_THREADS)
  uint64_t seed = 1337;
  bool overwrite = false;
};

// The marker a run leaves in its output folder.
inline constexpr const char* kMarkerName = "ember-run.txt";

// One run of a chapter: its options, and the files it writes.
class Run {
 public:
  Run(Options options, std::filesystem::path folder, std::string command);

  const Options options;

  // The path of `name` inside the output folder, recorded in the marker as
  // written by this run (so the next --overwrite may remove it).
  std::string file(const std::string& name);
  const std::vector<std::string>& files() const { return files_; }

  // The outputs every tutorial leaves beside its own files: the table of its
  // key results as results.md and results.csv, and its page as report.html.
  void write_results(const ember::train::ResultsTable& table);
  void write_report(const ember::train::Report& page);

  // A line run() prints after the total time, as the program's last line:
  // the result a script reads with `tail -n 1` (the quickstart's
  // "test accuracy: 0.9110").
  void set_last_line(std::string line) { last_line_ = std::move(line); }
  const std::string& last_line() const { return last_line_; }

 private:
  void write_marker() const;

  std::filesystem::path folder_;
  std::string command_;
  std::vector<std::string> files_;
  std::string last_line_;
};

// Why `folder` cannot take this run's results ("" when it can). With
// `overwrite`, removes what the earlier run's marker lists. Creates the folder.
std::string claim_output_folder(const std::filesystem::path& folder, bool overwrite);

// The one call a tutorial's main() makes (see the top of this file).
int run(CLI::App& app, Options& options, int argc, const char* const* argv,
        const std::function<void(Run&)>& chapter);

// Numbers as the chapters print them in tables: v with `digits` decimals
// ("0.7395"), and v in scientific notation with one decimal ("3.1e-05").
std::string fixed(double v, int digits);
std::string scientific(double v);

}  // namespace tutorial
