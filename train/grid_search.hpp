// grid_search.hpp — run a function over a grid of settings, and over k
// folds of the data, and collect the mean and spread of what it returns:
// scikit-learn's GridSearchCV, for any function (training a model, or not).
//
//   train::ParameterGrid grid;
//   grid.add("lr", {0.1, 0.01, 0.001}).add("batch_size", {32, 128});
//   train::GridSearchResult r = train::grid_search(grid, [&](const train::Trial& t) {
//     data::Subset fit_part(train_set, t.split->train), val_part(train_set, t.split->val);
//     ... train with t.settings.number("lr"), t.settings.integer("batch_size") ...
//     return validation_accuracy;
//   }, {.folds = 5, .labels = data::labels_of(*train_set)});
//   r.table().write_csv(run.file("grid.csv"));          // a row per setting
//   write_file_atomically(run.file("grid.svg"), r.heatmap_svg());  // 2-D grids
//
// The grid is the cartesian product of the named value lists, the last name
// varying fastest (setting 0 is the first value of every list). With
// folds = k >= 2 each setting runs k times, once per fold of
// data::stratified_k_fold(labels, k, seed) (or data::k_fold over `examples`
// when no labels are given): every setting sees the same folds. The spread
// is the population standard deviation of the k scores (numpy's std, as
// scikit-learn's std_test_score).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "../data/split.hpp"
#include "heatmap.hpp"
#include "results_table.hpp"

namespace ember::train {

// One point of the grid: a value for every parameter.
class Settings {
 public:
  // The value of `name` (ValueError when it is not a parameter, or text).
  double number(const std::string& name) const;
  int64_t integer(const std::string& name) const;  // number() rounded
  // The value as the tables show it ("0.01", "adam").
  const std::string& text(const std::string& name) const;
  // Which of its values the parameter takes (0 for the first).
  size_t index(const std::string& name) const;
  // "lr=0.01, batch_size=32"
  std::string str() const;

 private:
  friend class ParameterGrid;
  struct Value {
    std::string name, text;
    double number;
    bool is_number;
    size_t index;
  };
  const Value& find(const std::string& name) const;
  std::vector<Value> values_;
};

class ParameterGrid {
 public:
  // Adds a parameter with its values (at least one; names unique).
  ParameterGrid& add(const std::string& name, const std::vector<double>& values);
  ParameterGrid& add(const std::string& name, const std::vector<std::string>& values);
  // add("epochs", {10}) would be ambiguous between the two above.
  ParameterGrid& add(const std::string& name, std::initializer_list<double> values) {
    return add(name, std::vector<double>(values));
  }

  size_t size() const;  // the number of settings: the product of the list lengths
  Settings at(size_t i) const;
  std::vector<std::string> names() const;
  // The values of `name` as text, in order.
  const std::vector<std::string>& labels(const std::string& name) const;

 private:
  struct Parameter {
    std::string name;
    std::vector<std::string> labels;
    std::vector<double> numbers;  // empty for text values
  };
  const Parameter& find(const std::string& name) const;
  std::vector<Parameter> parameters_;
};

// What the function is given for one run.
struct Trial {
  const Settings& settings;
  int64_t fold;               // 0..folds-1; 0 without cross-validation
  const data::Split* split;   // this fold's train / validation indices; nullptr without folds
};
using Objective = std::function<double(const Trial&)>;

struct GridSearchOptions {
  int64_t folds = 0;                  // 0: one run per setting; k >= 2: k-fold cross-validation
  std::vector<int64_t> labels = {};   // stratify the folds by these labels (one per example)
  int64_t examples = 0;               // without labels: plain k folds of this many examples
  uint64_t seed = 0;                  // the folds' shuffling
  std::string metric = "accuracy";    // what the function returns (column and chart titles)
  bool verbose = true;                // print a line per setting: its settings, mean and std
};

struct GridCell {
  Settings settings;
  std::vector<double> scores;  // one per fold (one without folds)
  double mean = 0.0;
  double std = 0.0;            // population standard deviation of the scores
};

struct GridSearchResult {
  ParameterGrid grid;
  GridSearchOptions options;
  std::vector<GridCell> cells;  // one per setting, in grid order

  // The cell with the highest mean (lowest with higher_is_better = false);
  // NaN means never win.
  const GridCell& best(bool higher_is_better = true) const;
  // A row per setting: the parameters, then the metric (one run), or its
  // mean, std and each fold's score.
  ResultsTable table(int decimals = 4) const;
  // For a grid of one or two parameters: the means as a heat map (rows: the
  // first parameter, or the metric for one; columns: the last), each cell
  // "mean" or "mean\n± std". Unset titles and labels are filled in.
  std::string heatmap_svg(HeatmapOptions options = {}) const;
};

GridSearchResult grid_search(const ParameterGrid& grid, const Objective& objective,
                             const GridSearchOptions& options = {});

}  // namespace ember::train
