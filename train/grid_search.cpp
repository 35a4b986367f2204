// grid_search.cpp — the grid, the runs over folds, the table and heat map (see grid_search.hpp).
#include "grid_search.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "../tensor/error.hpp"

namespace ember::train {

// ---- settings and the grid ------------------------------------------------------

const Settings::Value& Settings::find(const std::string& name) const {
  for (const Value& v : values_)
    if (v.name == name) return v;
  throw ValueError("grid search: no parameter named '" + name + "' (settings: " + str() + ")");
}

double Settings::number(const std::string& name) const {
  const Value& v = find(name);
  if (!v.is_number)
    throw ValueError("grid search: parameter '" + name + "' is text ('" + v.text +
                     "'), not a number; read it with text()");
  return v.number;
}

int64_t Settings::integer(const std::string& name) const { return std::llround(number(name)); }

const std::string& Settings::text(const std::string& name) const { return find(name).text; }

size_t Settings::index(const std::string& name) const { return find(name).index; }

std::string Settings::str() const {
  std::string s;
  for (const Value& v : values_) {
    if (!s.empty()) s += ", ";
    s += v.name;
    s += '=';
    s += v.text;
  }
  return s;
}

namespace {

// Numbers as a reader writes them: 0.01, 32, 1e-05.
std::string number_label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

ParameterGrid& ParameterGrid::add(const std::string& name, const std::vector<double>& values) {
  std::vector<std::string> labels;
  for (double v : values) labels.push_back(number_label(v));
  add(name, labels);
  parameters_.back().numbers = values;
  return *this;
}

ParameterGrid& ParameterGrid::add(const std::string& name, const std::vector<std::string>& values) {
  EMBER_CHECK(!name.empty() && !values.empty(), ValueError,
              "ParameterGrid::add: a parameter needs a name and at least one value");
  for (const Parameter& p : parameters_)
    EMBER_CHECK(p.name != name, ValueError, "ParameterGrid::add: '", name, "' is already there");
  parameters_.push_back({name, values, {}});
  return *this;
}

size_t ParameterGrid::size() const {
  size_t n = 1;
  for (const Parameter& p : parameters_) n *= p.labels.size();
  return n;
}

Settings ParameterGrid::at(size_t i) const {
  EMBER_CHECK(i < size(), IndexError, "ParameterGrid::at: setting ", i, " of ", size());
  Settings s;
  s.values_.resize(parameters_.size());
  for (size_t p = parameters_.size(); p-- > 0;) {  // the last parameter varies fastest
    const Parameter& param = parameters_[p];
    const size_t k = i % param.labels.size();
    i /= param.labels.size();
    const bool is_number = !param.numbers.empty();
    s.values_[p] = {param.name, param.labels[k], is_number ? param.numbers[k] : 0.0, is_number, k};
  }
  return s;
}

std::vector<std::string> ParameterGrid::names() const {
  std::vector<std::string> names;
  for (const Parameter& p : parameters_) names.push_back(p.name);
  return names;
}

const ParameterGrid::Parameter& ParameterGrid::find(const std::string& name) const {
  for (const Parameter& p : parameters_)
    if (p.name == name) return p;
  throw ValueError("ParameterGrid: no parameter named '" + name + "'");
}

const std::vector<std::string>& ParameterGrid::labels(const std::string& name) const {
  return find(name).labels;
}

// ---- the search ---------------------------------------------------------------------

GridSearchResult grid_search(const ParameterGrid& grid, const Objective& objective,
                             const GridSearchOptions& o) {
  EMBER_CHECK(o.folds == 0 || o.folds >= 2, ValueError,
              "grid_search: folds must be 0 (no cross-validation) or at least 2, got ", o.folds);
  std::vector<data::Split> folds;
  if (o.folds >= 2) {
    EMBER_CHECK(!o.labels.empty() || o.examples > 0, ValueError,
                "grid_search: cross-validation needs the labels (stratified folds) or the "
                "number of examples");
    folds = o.labels.empty() ? data::k_fold(o.examples, o.folds, o.seed)
                             : data::stratified_k_fold(o.labels, o.folds, o.seed);
  }
  GridSearchResult result{grid, o, {}};
  const size_t total = grid.size();
  for (size_t i = 0; i < total; ++i) {
    GridCell cell{grid.at(i), {}, 0.0, 0.0};
    const int64_t runs = folds.empty() ? 1 : o.folds;
    for (int64_t f = 0; f < runs; ++f) {
      const Trial trial{cell.settings, f, folds.empty() ? nullptr : &folds[static_cast<size_t>(f)]};
      cell.scores.push_back(objective(trial));
    }
    double sum = 0.0;
    for (double s : cell.scores) sum += s;
    cell.mean = sum / static_cast<double>(cell.scores.size());
    double squares = 0.0;
    for (double s : cell.scores) squares += (s - cell.mean) * (s - cell.mean);
    cell.std = std::sqrt(squares / static_cast<double>(cell.scores.size()));
    if (o.verbose) {
      char line[160];
      if (folds.empty())
        std::snprintf(line, sizeof line, ": %s %.4f", o.metric.c_str(), cell.mean);
      else
        std::snprintf(line, sizeof line, ": %s %.4f +- %.4f (%lld folds)", o.metric.c_str(),
                      cell.mean, cell.std, static_cast<long long>(o.folds));
      std::cout << "[" << i + 1 << "/" << total << "] " << cell.settings.str() << line << "\n"
                << std::flush;
    }
    result.cells.push_back(std::move(cell));
  }
  return result;
}

// ---- the results ----------------------------------------------------------------------

const GridCell& GridSearchResult::best(bool higher_is_better) const {
  EMBER_CHECK(!cells.empty(), ValueError, "GridSearchResult::best: no cells");
  const GridCell* best = nullptr;
  for (const GridCell& c : cells) {
    if (std::isnan(c.mean)) continue;
    if (!best || (higher_is_better ? c.mean > best->mean : c.mean < best->mean)) best = &c;
  }
  return best ? *best : cells.front();
}

ResultsTable GridSearchResult::table(int decimals) const {
  const std::vector<std::string> names = grid.names();
  const bool folded = !cells.empty() && cells.front().scores.size() > 1;
  std::vector<Column> columns(names.begin(), names.end());
  if (folded) {
    columns.emplace_back(options.metric + " mean", decimals);
    columns.emplace_back(options.metric + " std", decimals);
    for (size_t f = 0; f < cells.front().scores.size(); ++f)
      columns.emplace_back("fold " + std::to_string(f + 1), decimals);
  } else {
    columns.emplace_back(options.metric, decimals);
  }
  ResultsTable t(std::move(columns));
  for (const GridCell& c : cells) {
    std::vector<Cell> row;
    for (const std::string& n : names) row.emplace_back(c.settings.text(n));
    row.emplace_back(c.mean);
    if (folded) {
      row.emplace_back(c.std);
      for (double s : c.scores) row.emplace_back(s);
    }
    t.add_row(row);
  }
  return t;
}

std::string GridSearchResult::heatmap_svg(HeatmapOptions o) const {
  const std::vector<std::string> names = grid.names();
  EMBER_CHECK(names.size() == 1 || names.size() == 2, ValueError,
              "GridSearchResult::heatmap_svg: draws grids of one or two parameters; this one has ",
              names.size());
  const bool folded = !cells.empty() && cells.front().scores.size() > 1;
  const std::vector<std::string>& column_labels = grid.labels(names.back());
  const std::vector<std::string> row_labels =
      names.size() == 2 ? grid.labels(names.front()) : std::vector<std::string>{options.metric};
  std::vector<std::vector<double>> values(row_labels.size(),
                                          std::vector<double>(column_labels.size()));
  std::vector<std::vector<std::string>> text(row_labels.size(),
                                             std::vector<std::string>(column_labels.size()));
  const int decimals = std::max(0, o.decimals);
  for (const GridCell& c : cells) {
    const size_t r = names.size() == 2 ? c.settings.index(names.front()) : 0;
    const size_t k = c.settings.index(names.back());
    values[r][k] = c.mean;
    char buf[96];
    if (folded && std::isfinite(c.mean))
      std::snprintf(buf, sizeof buf, "%.*f\n\u00b1 %.*f", decimals, c.mean, decimals, c.std);
    else
      std::snprintf(buf, sizeof buf, "%.*f", decimals, c.mean);
    text[r][k] = buf;
  }
  if (o.title.empty())
    o.title = folded ? options.metric + ", mean \u00b1 std of " + std::to_string(options.folds) +
                           " folds"
                     : options.metric;
  if (o.x_label.empty()) o.x_label = names.back();
  if (o.y_label.empty() && names.size() == 2) o.y_label = names.front();
  if (o.cell_text.empty()) o.cell_text = text;
  return train::heatmap_svg(row_labels, column_labels, values, o);
}

}  // namespace ember::train
