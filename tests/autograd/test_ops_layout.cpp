// test_ops_layout.cpp — each op's Node stays directly before the function that records it.
//
// autograd/ops/*.cpp promise "forward beside backward": every Node (what the
// backward computes, what it saves) is followed by the function that builds
// it, so a reader sees both at once. This test reads the sources and keeps
// the promise: after each `struct X ... : Node`'s closing `};`, the function
// that calls record<X> must begin within kMaxGap lines, with no other Node in
// between. Files are found as test_budget.cpp finds engine.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

// Room for closing the unnamed namespace and a short comment on the
// function; not for a helper of any length, nor for another op.
constexpr size_t kMaxGap = 8;

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  return lines;
}

// A function's first line: code at column 0 (bodies and continued
// signatures are indented; comments, braces and blank lines do not count).
bool starts_definition(const std::string& line) {
  return !line.empty() && std::isalpha(static_cast<unsigned char>(line[0]));
}

// Whether `line` calls record<name> (or record<name<...>> for a template Node).
bool records(const std::string& line, const std::string& name) {
  const std::string call = "record<" + name;
  size_t at = line.find(call);
  if (at == std::string::npos || at + call.size() >= line.size()) return false;
  char next = line[at + call.size()];
  return next == '>' || next == '<';
}

const std::regex kNodeStruct(R"(^struct (\w+)\b.*:\s*(autograd::)?Node\b)");

// Every place where a Node is not followed closely by the function that
// records it, as "file:line: message"; adds the Nodes seen to `nodes`.
std::vector<std::string> layout_problems(const std::filesystem::path& path, int& nodes) {
  const std::vector<std::string> lines = read_lines(path);
  const std::string file = path.filename().string();
  std::vector<std::string> problems;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::smatch match;
    if (!std::regex_search(lines[i], match, kNodeStruct)) continue;
    ++nodes;
    const std::string name = match[1];
    const std::string where = file + ":" + std::to_string(i + 1) + ": " + name;
    size_t end = i;
    while (end < lines.size() && lines[end] != "};") ++end;
    size_t call = end;
    while (call < lines.size() && !records(lines[call], name)) ++call;
    if (call >= lines.size()) {
      problems.push_back(where + " is never recorded after its definition");
      continue;
    }
    for (size_t j = end + 1; j < call; ++j)
      if (std::regex_search(lines[j], kNodeStruct))
        problems.push_back(where + " is separated from record<" + name + "> by another Node at " +
                           file + ":" + std::to_string(j + 1));
    size_t start = call;
    while (start > end && !starts_definition(lines[start])) --start;
    const size_t gap = start > end ? start - end - 1 : 0;
    if (gap > kMaxGap)
      problems.push_back(where + " ends " + std::to_string(gap) +
                         " lines before the function that records it (at most " +
                         std::to_string(kMaxGap) + "): move the function up to its Node");
  }
  return problems;
}

}  // namespace

TEST_CASE("every autograd op's Node is directly followed by the function that records it") {
  const std::filesystem::path ops = std::filesystem::path(EMBER_SOURCE_ROOT) / "autograd" / "ops";
  REQUIRE(std::filesystem::is_directory(ops));
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(ops))
    if (entry.path().extension() == ".cpp") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  CHECK(files.size() >= 10);  // the ten op families were found
  for (const auto& path : files) {
    CAPTURE(path.string());
    int nodes = 0;
    for (const std::string& problem : layout_problems(path, nodes)) FAIL_CHECK(problem);
    CHECK(nodes > 0);  // the file was read and its Nodes recognised
  }
}
