// results_table.hpp — a table of results, written as markdown (for a README
// or a report) and as CSV (for a spreadsheet or a test), and read back.
//
//   train::ResultsTable t({"model", {"accuracy", 4}, {"epochs", 0}});
//   t.add_row({"cnn1", 0.91234, 3});                 // text, number, integer
//   t.write_markdown("out/results.md");
//   t.write_csv("out/results.csv");
//   train::ResultsTable back = train::ResultsTable::read_csv("out/results.csv");
//   double acc = back.number(0, 1);                  // 0.9123
//
// Numbers are formatted when a row is added, with their column's decimals,
// so every figure in a column has the same number of digits, in both files.
// The experiment tutorials put the figures a paper or notebook reported
// beside ember's: comparison_table({{"test accuracy", 0.888, 0.9110}}).
//
// CSV follows RFC 4180: fields holding a comma, a double quote, a line break
// or a leading/trailing space are quoted, quotes inside doubled; lines end in
// "\n" (the reader also takes "\r\n"). The first line names the columns.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ember::train {

struct Column {
  Column(const char* name_) : name(name_) {}  // NOLINT: implicit, so {"model", "accuracy"} works
  Column(std::string name_, int decimals_ = 4) : name(std::move(name_)), decimals(decimals_) {}  // NOLINT

  std::string name;
  int decimals = 4;  // digits after the point of the numbers in it; -1: 6 significant digits
};

// One cell as given to add_row: nothing, text, a number or an integer.
class Cell {
 public:
  enum class Kind { Empty, Text, Number, Integer };

  Cell() = default;                                                  // an empty cell
  Cell(const char* text) : kind_(Kind::Text), text_(text) {}         // NOLINT
  Cell(std::string text) : kind_(Kind::Text), text_(std::move(text)) {}  // NOLINT
  Cell(double v) : kind_(Kind::Number), number_(v) {}                // NOLINT
  Cell(std::optional<double> v)                                      // NOLINT: empty when unset
      : kind_(v ? Kind::Number : Kind::Empty), number_(v.value_or(0.0)) {}
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  Cell(I v) : kind_(Kind::Integer), integer_(static_cast<int64_t>(v)) {}  // NOLINT

  Kind kind() const { return kind_; }
  // The cell as the table shows it: numbers with `decimals` (see Column).
  std::string format(int decimals) const;

 private:
  Kind kind_ = Kind::Empty;
  std::string text_;
  double number_ = 0.0;
  int64_t integer_ = 0;
};

class ResultsTable {
 public:
  explicit ResultsTable(std::vector<Column> columns);

  // As many cells as columns (ValueError otherwise).
  void add_row(const std::vector<Cell>& cells);

  size_t num_rows() const { return rows_.size(); }
  size_t num_columns() const { return columns_.size(); }
  const std::vector<Column>& columns() const { return columns_; }
  // The column named `name` (ValueError when there is none).
  size_t column(const std::string& name) const;
  // The formatted text of a cell ("" when empty).
  const std::string& text(size_t row, size_t column) const;
  // The cell read as a number; ValueError when it is empty or not a number.
  double number(size_t row, size_t column) const;

  std::string markdown() const;  // a GitHub table; number columns right-aligned
  std::string csv() const;
  void write_markdown(const std::string& path) const;  // atomically
  void write_csv(const std::string& path) const;       // atomically

  // A CSV text whose first line names the columns; every line the same
  // number of fields. A DataError names the line of a malformed one.
  static ResultsTable parse_csv(const std::string& text, const std::string& name = "csv");
  static ResultsTable read_csv(const std::string& path);

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;  // formatted
};

// One line of "what a source reported" beside "what ember measured".
struct Comparison {
  std::string what;                   // e.g. "test accuracy, CNN model 1"
  std::optional<double> reported;     // the source's figure (unset: not reported)
  std::optional<double> measured;     // ember's (unset: not measured in this run)
  std::string note = {};              // e.g. "50 epochs there, 3 here"
};

// Columns what, reported, measured, difference (measured - reported, when
// both are there) and note (only when a row has one); numbers with `decimals`.
ResultsTable comparison_table(const std::vector<Comparison>& rows, int decimals = 4);

}  // namespace ember::train
