// test_grid_search.cpp — the grid-search driver on a toy function with known
// results: the grid's order, each fold's split, mean and std, the table and
// the heat map.
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "tensor/error.hpp"
#include "train/grid_search.hpp"
#include "xml_check.hpp"

using namespace ember;

TEST_CASE("ParameterGrid: the cartesian product, last parameter fastest") {
  train::ParameterGrid grid;
  grid.add("lr", {0.1, 0.01}).add("optimizer", std::vector<std::string>{"adam", "sgd", "rmsprop"});
  REQUIRE(grid.size() == 6);
  CHECK(grid.at(0).str() == "lr=0.1, optimizer=adam");
  CHECK(grid.at(1).str() == "lr=0.1, optimizer=sgd");
  CHECK(grid.at(3).str() == "lr=0.01, optimizer=adam");
  const train::Settings s = grid.at(5);
  CHECK(s.number("lr") == 0.01);
  CHECK(s.text("optimizer") == "rmsprop");
  CHECK(s.index("optimizer") == 2);
  CHECK(s.index("lr") == 1);
  CHECK(grid.labels("lr") == std::vector<std::string>{"0.1", "0.01"});
  CHECK_THROWS_AS(s.number("optimizer"), ValueError);  // text
  CHECK_THROWS_AS(s.number("momentum"), ValueError);   // not a parameter
  CHECK_THROWS_AS(grid.at(6), IndexError);
  CHECK_THROWS_AS(grid.add("lr", {1.0}), ValueError);  // twice
  CHECK_THROWS_AS(grid.add("empty", std::vector<double>{}), ValueError);
  CHECK(train::ParameterGrid().size() == 1);  // no parameters: one setting
}

TEST_CASE("grid_search: k stratified folds per setting, mean and std of the scores") {
  // 20 examples: 12 of class 0, 8 of class 1.
  std::vector<int64_t> labels;
  for (int i = 0; i < 20; ++i) labels.push_back(i % 5 < 3 ? 0 : 1);
  train::ParameterGrid grid;
  grid.add("lr", {0.1, 0.01, 0.001}).add("batch_size", {16, 32});
  std::set<std::vector<int64_t>> validation_sets;
  int calls = 0;
  // A score with a known optimum (lr 0.01, batch 32) plus 0.01 per fold index:
  // over folds 0..3 the mean gains 0.015 and the std is 0.01 * sqrt(1.25).
  auto score = [](double lr, double batch) {
    return 1.0 - std::fabs(std::log10(lr) + 2.0) * 0.1 - (batch == 16 ? 0.05 : 0.0);
  };
  const train::GridSearchResult r = train::grid_search(
      grid,
      [&](const train::Trial& t) {
        ++calls;
        REQUIRE(t.split != nullptr);
        // Stratified: each validation fold holds 3 of class 0 and 2 of class 1.
        int ones = 0;
        for (int64_t i : t.split->val) ones += labels[static_cast<size_t>(i)];
        CHECK(t.split->val.size() == 5);
        CHECK(ones == 2);
        CHECK(t.split->train.size() == 15);
        validation_sets.insert(t.split->val);
        return score(t.settings.number("lr"), t.settings.number("batch_size")) + 0.01 * t.fold;
      },
      {.folds = 4, .labels = labels, .seed = 5, .metric = "val_accuracy", .verbose = false});
  CHECK(calls == 6 * 4);
  CHECK(validation_sets.size() == 4);  // every setting saw the same four folds
  REQUIRE(r.cells.size() == 6);
  for (const train::GridCell& c : r.cells) {
    REQUIRE(c.scores.size() == 4);
    const double expected = score(c.settings.number("lr"), c.settings.number("batch_size")) + 0.015;
    CHECK(c.mean == doctest::Approx(expected));
    CHECK(c.std == doctest::Approx(0.01 * std::sqrt(1.25)));
  }
  CHECK(r.best().settings.str() == "lr=0.01, batch_size=32");
  CHECK(r.best(false).settings.str() == "lr=0.1, batch_size=16");  // ties: the first

  // The table: parameters, mean, std, and each fold.
  const train::ResultsTable t = r.table(3);
  REQUIRE(t.num_rows() == 6);
  REQUIRE(t.num_columns() == 2 + 2 + 4);
  CHECK(t.columns()[2].name == "val_accuracy mean");
  CHECK(t.columns()[3].name == "val_accuracy std");
  CHECK(t.columns()[7].name == "fold 4");
  CHECK(t.text(3, 0) == "0.01");
  CHECK(t.text(3, 1) == "32");
  CHECK(t.number(3, 2) == doctest::Approx(1.015).epsilon(1e-3));
  CHECK(t.text(3, 3) == "0.011");
  CHECK(t.number(3, 7) == doctest::Approx(1.03));
  const train::ResultsTable back = train::ResultsTable::parse_csv(t.csv());
  CHECK(back.text(3, 2) == t.text(3, 2));

  // The heat map: lr down, batch size across, "mean ± std" in each cell.
  const std::string svg = r.heatmap_svg();
  CHECK(xml_problem(svg) == "");
  CHECK(count(svg, "<title>") == 6);
  CHECK(svg.find(">0.01, 32: 1.015</title>") != std::string::npos);
  CHECK(svg.find("1.015<tspan") != std::string::npos);
  CHECK(svg.find(">\u00b1 0.011</tspan>") != std::string::npos);
  CHECK(svg.find(">val_accuracy, mean \u00b1 std of 4 folds</text>") != std::string::npos);
  CHECK(svg.find(">batch_size</text>") != std::string::npos);
}

TEST_CASE("grid_search without folds: one run per setting; plain folds without labels") {
  train::ParameterGrid grid;
  grid.add("x", {1, 2, 3});
  const train::GridSearchResult once = train::grid_search(
      grid,
      [](const train::Trial& t) {
        CHECK(t.split == nullptr);
        CHECK(t.fold == 0);
        return t.settings.number("x") * 2;
      },
      {.metric = "loss", .verbose = false});
  CHECK(once.cells[2].mean == 6.0);
  CHECK(once.cells[2].std == 0.0);
  CHECK(once.best(false).settings.integer("x") == 1);
  CHECK(once.table().num_columns() == 2);  // x, loss
  CHECK(once.table().columns()[1].name == "loss");
  const std::string one_row = once.heatmap_svg({.title = "mine"});
  CHECK(xml_problem(one_row) == "");
  CHECK(one_row.find(">mine</text>") != std::string::npos);
  CHECK(one_row.find(">6.000</text>") != std::string::npos);

  int64_t validated = 0;
  train::grid_search(grid,
                     [&](const train::Trial& t) {
                       validated += static_cast<int64_t>(t.split->val.size());
                       return 0.0;
                     },
                     {.folds = 3, .examples = 10, .verbose = false});
  CHECK(validated == 3 * 10);  // each setting validates on every example once
  CHECK_THROWS_AS(train::grid_search(grid, [](const train::Trial&) { return 0.0; },
                                     {.folds = 1, .verbose = false}),
                  ValueError);
  CHECK_THROWS_AS(train::grid_search(grid, [](const train::Trial&) { return 0.0; },
                                     {.folds = 3, .verbose = false}),
                  ValueError);  // folds of what?
  train::ParameterGrid three;
  three.add("a", {1}).add("b", {1}).add("c", {1});
  const train::GridSearchResult r3 = train::grid_search(three, [](const train::Trial&) { return 1.0; },
                                                        {.verbose = false});
  CHECK_THROWS_AS(r3.heatmap_svg(), ValueError);
}
