// harness.cpp — the shared command line, output folder rule and clock (see harness.hpp).
#include "harness.hpp"

#include <chrono>
#include <exception>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <utility>

namespace fs = std::filesystem;

namespace tutorial {

// ---- the marker: which files a run wrote ------------------------------------

namespace {

// The file names an earlier run's marker lists (lines not starting with '#').
std::vector<std::string> files_in_marker(const fs::path& marker) {
  std::vector<std::string> names;
  std::ifstream in(marker);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') names.push_back(line);
  return names;
}

}  // namespace

Run::Run(Options options_, fs::path folder, std::string command)
    : options(std::move(options_)), folder_(std::move(folder)), command_(std::move(command)) {
  write_marker();
}

std::string Run::file(const std::string& name) {
  // Plain names only: --overwrite removes what a marker lists, inside the folder.
  if (name.empty() || fs::path(name).filename() != name || name == "." || name == "..")
    throw ember::ValueError("Run::file: '" + name + "' is not a plain file name");
  files_.push_back(name);
  write_marker();  // at once, so a run that fails half-way still says what it wrote
  return (folder_ / name).string();
}

void Run::write_results(const ember::train::ResultsTable& table) {
  table.write_markdown(file("results.md"));
  table.write_csv(file("results.csv"));
}

void Run::write_report(const ember::train::Report& page) { page.write(file("report.html")); }

void Run::write_marker() const {
  std::ofstream out(folder_ / kMarkerName);
  out << "# This folder holds the results of one run of an ember tutorial:\n"
      << "#   " << command_ << "\n"
      << "# The files it wrote (--overwrite removes these and nothing else):\n";
  for (const std::string& name : files_) out << name << "\n";
  if (!out) throw ember::DataError("cannot write " + (folder_ / kMarkerName).string());
}

// ---- the output folder rule ---------------------------------------------------

std::string claim_output_folder(const fs::path& folder, bool overwrite) {
  const std::string shown = folder.string();
  if (fs::exists(folder) && !fs::is_directory(folder))
    return "--output " + shown + " is a file, not a folder";
  if (!fs::exists(folder) || fs::is_empty(folder)) {
    fs::create_directories(folder);
    return "";
  }
  const fs::path marker = folder / kMarkerName;
  if (!fs::exists(marker)) {
    // The user said so: files with this run's names get replaced, none is removed.
    if (overwrite) return "";
    return "--output " + shown +
           " is not empty and was not written by an ember tutorial; choose a new folder, or "
           "pass --overwrite to write into it anyway (files with this run's names are replaced, "
           "no other file is touched)";
  }
  if (!overwrite)
    return "--output " + shown + " holds an earlier run's results (see " + marker.string() +
           "); pass --overwrite to replace them, or choose another --output";
  for (const std::string& name : files_in_marker(marker))
    if (fs::path(name).filename() == name) fs::remove(folder / name);  // never outside the folder
  fs::remove(marker);
  return "";
}

// ---- the one call ---------------------------------------------------------------

int run(CLI::App& app, Options& o, int argc, const char* const* argv,
        const std::function<void(Run&)>& chapter) {
  const auto start = std::chrono::steady_clock::now();
  app.add_flag("--quick", o.quick, "a small, fast version (what the test suite runs)");
  app.add_option("--epochs", o.epochs, "passes over the training data")
      ->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--batch-size", o.batch_size, "examples per step")
      ->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--data", o.data, "the dataset's folder")->capture_default_str();
  app.add_option("--output", o.output, "folder for the files this program writes")
      ->capture_default_str();
  app.add_option("--threads", o.threads, "compute threads (0: the cores, or EMBER_NUM_THREADS)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  app.add_option("--seed", o.seed, "seed of ember's random numbers")->capture_default_str();
  app.add_flag("--overwrite", o.overwrite, "replace an earlier run's results in --output");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);  // prints the help (exit code 0) or what was wrong
  }

  const std::string program = fs::path(argv[0]).filename().string();
  std::string last_line;
  try {
    const std::string refused = claim_output_folder(o.output, o.overwrite);
    if (!refused.empty()) {
      std::cerr << program << ": " << refused << "\n";
      return 2;
    }
    std::string command = argv[0];
    for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
    Run run(o, o.output, command);
    if (o.threads > 0) ember::set_num_threads(o.threads);
    ember::manual_seed(o.seed);

    chapter(run);

    if (!run.files().empty()) {
      std::cout << "\nwrote in " << o.output << "/:";
      for (const std::string& name : run.files()) std::cout << " " << name;
      std::cout << "\n";
    }
    last_line = run.last_line();
  } catch (const std::exception& e) {
    std::cerr << program << ": " << e.what() << "\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ostringstream line;
  line << "total time: " << std::fixed << std::setprecision(1) << seconds << " s\n";
  if (!last_line.empty()) line << last_line << "\n";
  std::cout << line.str();
  return 0;
}

std::string fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

std::string scientific(double v) {
  std::ostringstream s;
  s << std::scientific << std::setprecision(1) << v;
  return s.str();
}

}  // namespace tutorial
