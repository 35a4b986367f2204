// test_history.cpp — History bookkeeping and its CSV form.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tensor/error.hpp"
#include "train/history.hpp"

using namespace ember;

namespace {
train::EpochLogs logs(int64_t epoch, double loss, double acc, std::optional<double> vl = {},
                      std::optional<double> va = {}) {
  train::EpochLogs l;
  l.epoch = epoch;
  l.loss = loss;
  l.accuracy = acc;
  l.val_loss = vl;
  l.val_accuracy = va;
  l.lr = 0.001;
  l.seconds = 1.5;
  return l;
}
}  // namespace

TEST_CASE("EpochLogs::get reads figures by Keras name") {
  const train::EpochLogs l = logs(3, 0.5, 0.8, 0.6, 0.75);
  CHECK(*l.get("loss") == 0.5);
  CHECK(*l.get("val_accuracy") == 0.75);
  CHECK(*l.get("lr") == 0.001);
  CHECK_FALSE(logs(1, 0.5, 0.8).get("val_loss").has_value());
  CHECK_THROWS_WITH_AS(l.get("acc"), doctest::Contains("no metric named 'acc'"), ValueError);
}

TEST_CASE("History collects columns and writes them as CSV") {
  train::History h;
  h.append(logs(1, 0.5, 0.8, 0.6, 0.75));
  h.append(logs(2, 0.25, 0.9, 0.4, 0.875));
  CHECK(h.epochs() == 2);
  CHECK(h.has_validation());
  CHECK(h["val_loss"] == std::vector<double>{0.6, 0.4});
  CHECK_THROWS_WITH_AS(h["val_acc"], doctest::Contains("known: loss, accuracy"), ValueError);
  CHECK(train::to_csv(h) ==
        "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n"
        "1,0.5,0.8,0.6,0.75,0.001,1.5\n"
        "2,0.25,0.9,0.4,0.875,0.001,1.5\n");

  const auto path = std::filesystem::temp_directory_path() / "ember_test_history.csv";
  train::write_csv(h, path.string());
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  CHECK(content.str() == train::to_csv(h));
  std::filesystem::remove(path);
}

TEST_CASE("History CSV without validation, and with a NaN loss") {
  train::History h;
  h.append(logs(1, std::nan(""), 0.1));
  CHECK_FALSE(h.has_validation());
  CHECK(train::to_csv(h) == "epoch,loss,accuracy,lr,seconds\n1,nan,0.1,0.001,1.5\n");
}

TEST_CASE("write_csv into a missing folder names the path") {
  train::History h;
  h.append(logs(1, 0.5, 0.8));
  CHECK_THROWS_WITH_AS(train::write_csv(h, "/nonexistent-ember-dir/h.csv"),
                       doctest::Contains("/nonexistent-ember-dir/h.csv"), DataError);
}
