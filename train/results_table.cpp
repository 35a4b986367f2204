// results_table.cpp — formatting, markdown, RFC 4180 CSV both ways (see results_table.hpp).
#include "results_table.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "../tensor/atomic_file.hpp"
#include "../tensor/error.hpp"

namespace ember::train {

namespace {

// A whole field that strtod reads as a number ("0.91", "-3", "nan", "1e-3").
std::optional<double> parse_number(const std::string& s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

bool needs_quotes(const std::string& field) {
  return field.find_first_of(",\"\r\n") != std::string::npos ||
         (!field.empty() && (field.front() == ' ' || field.back() == ' '));
}

std::string csv_field(const std::string& field) {
  if (!needs_quotes(field)) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';  // a quote inside is doubled
    out += c;
  }
  return out + "\"";
}

// A markdown cell: '|' would end it and a line break would end the row.
std::string markdown_cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else if (c != '\r') out += c;
  }
  return out;
}

}  // namespace

std::string Cell::format(int decimals) const {
  switch (kind_) {
    case Kind::Empty: return "";
    case Kind::Text: return text_;
    case Kind::Integer: return std::to_string(integer_);
    case Kind::Number: {
      if (std::isnan(number_)) return "nan";
      if (std::isinf(number_)) return number_ > 0 ? "inf" : "-inf";
      char buf[64];
      if (decimals < 0) std::snprintf(buf, sizeof buf, "%.6g", number_);
      else std::snprintf(buf, sizeof buf, "%.*f", decimals, number_);
      std::string s = buf;
      if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s.erase(0, 1);  // no "-0.00"
      return s;
    }
  }
  return "";
}

ResultsTable::ResultsTable(std::vector<Column> columns) : columns_(std::move(columns)) {
  EMBER_CHECK(!columns_.empty(), ValueError, "ResultsTable: needs at least one column");
}

void ResultsTable::add_row(const std::vector<Cell>& cells) {
  EMBER_CHECK(cells.size() == columns_.size(), ValueError, "ResultsTable::add_row: ",
              cells.size(), " cells for ", columns_.size(), " columns");
  std::vector<std::string> row;
  for (size_t c = 0; c < cells.size(); ++c) row.push_back(cells[c].format(columns_[c].decimals));
  rows_.push_back(std::move(row));
}

size_t ResultsTable::column(const std::string& name) const {
  for (size_t c = 0; c < columns_.size(); ++c)
    if (columns_[c].name == name) return c;
  std::string names;
  for (const Column& c : columns_) names += (names.empty() ? "" : ", ") + c.name;
  throw ValueError("ResultsTable: no column named '" + name + "' (columns: " + names + ")");
}

const std::string& ResultsTable::text(size_t row, size_t column) const {
  EMBER_CHECK(row < rows_.size() && column < columns_.size(), IndexError, "ResultsTable: cell (",
              row, ", ", column, ") is outside ", rows_.size(), " rows x ", columns_.size(),
              " columns");
  return rows_[row][column];
}

double ResultsTable::number(size_t row, size_t column) const {
  const std::string& s = text(row, column);
  const std::optional<double> v = parse_number(s);
  EMBER_CHECK(v.has_value(), ValueError, "ResultsTable: cell (", row, ", ", column, ") of column '",
              columns_[column].name, "' is '", s, "', not a number");
  return *v;
}

std::string ResultsTable::markdown() const {
  // Appends one at a time (GCC 12 warns, wrongly, on "literal" + string here).
  std::string out = "|";
  auto add_cell = [&out](const std::string& text) {
    out += ' ';
    out += markdown_cell(text);
    out += " |";
  };
  for (const Column& c : columns_) add_cell(c.name);
  out += "\n|";
  for (size_t c = 0; c < columns_.size(); ++c) {
    // Right-aligned when every filled cell is a number, so digits line up.
    bool numeric = false, all = true;
    for (const auto& row : rows_) {
      if (row[c].empty()) continue;
      numeric = true;
      all = all && parse_number(row[c]).has_value();
    }
    out += numeric && all ? "---:|" : "---|";
  }
  out += "\n";
  for (const auto& row : rows_) {
    out += "|";
    for (const std::string& cell : row) add_cell(cell);
    out += "\n";
  }
  return out;
}

std::string ResultsTable::csv() const {
  std::string out;
  auto add_line = [&out](const std::vector<std::string>& fields) {
    for (size_t c = 0; c < fields.size(); ++c) {
      if (c) out += ',';
      out += csv_field(fields[c]);
    }
    out += '\n';
  };
  std::vector<std::string> names;
  for (const Column& c : columns_) names.push_back(c.name);
  add_line(names);
  for (const auto& row : rows_) add_line(row);
  return out;
}

void ResultsTable::write_markdown(const std::string& path) const {
  write_file_atomically(path, markdown(), "ResultsTable::write_markdown");
}

void ResultsTable::write_csv(const std::string& path) const {
  write_file_atomically(path, csv(), "ResultsTable::write_csv");
}

ResultsTable ResultsTable::parse_csv(const std::string& text, const std::string& name) {
  // RFC 4180, one character at a time: a field is quoted (and may then hold
  // commas, quotes doubled, line breaks) or plain (and may hold no quote).
  std::vector<std::vector<std::string>> records;
  std::vector<size_t> first_lines;  // the line each record starts on
  std::vector<std::string> record;
  std::string field;
  size_t line = 1, i = 0, record_line = 1;
  bool any = false;  // the current record has begun
  auto fail = [&](const std::string& what) {
    throw DataError(name + ":" + std::to_string(line) + ": " + what);
  };
  auto end_record = [&] {
    record.push_back(std::move(field));
    field.clear();
    records.push_back(std::move(record));
    first_lines.push_back(record_line);
    record.clear();
    any = false;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' && field.empty()) {  // a quoted field
      ++i;
      for (;;) {
        if (i >= text.size()) fail("a quoted field is not closed");
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field += text[i++];
      }
      any = true;
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
        fail("text after the closing quote of a field");
      continue;
    }
    if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      any = true;
      ++i;
    } else if (c == '\r' || c == '\n') {
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
      end_record();
      record_line = ++line;
    } else if (c == '"') {
      fail("a quote inside an unquoted field (quote the field and double the quote)");
    } else {
      field += c;
      any = true;
      ++i;
    }
  }
  if (any || !field.empty()) end_record();  // no line break after the last line
  // Blank lines at the end are no records.
  while (!records.empty() && records.back() == std::vector<std::string>{""}) records.pop_back();
  if (records.empty()) throw DataError(name + ": empty; expected a header line naming the columns");

  std::vector<Column> columns;
  for (const std::string& h : records[0]) columns.emplace_back(h, -1);
  ResultsTable table(std::move(columns));
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != table.columns_.size())
      throw DataError(name + ":" + std::to_string(first_lines[r]) + ": " +
                      std::to_string(records[r].size()) + " fields; the header has " +
                      std::to_string(table.columns_.size()));
    table.rows_.push_back(std::move(records[r]));
  }
  return table;
}

ResultsTable ResultsTable::read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError("cannot open " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return parse_csv(s.str(), path);
}

ResultsTable comparison_table(const std::vector<Comparison>& rows, int decimals) {
  bool notes = false;
  for (const Comparison& r : rows) notes = notes || !r.note.empty();
  std::vector<Column> columns = {"what", {"reported", decimals}, {"measured", decimals},
                                 {"difference", decimals}};
  if (notes) columns.emplace_back("note");
  ResultsTable table(std::move(columns));
  for (const Comparison& r : rows) {
    std::optional<double> difference;
    if (r.reported && r.measured) difference = *r.measured - *r.reported;
    std::vector<Cell> cells = {r.what, r.reported, r.measured, difference};
    if (notes) cells.emplace_back(r.note);
    table.add_row(cells);
  }
  return table;
}

}  // namespace ember::train
