// history.hpp — what fit() returns: one row of figures per epoch.
//
// The columns are Keras' History keys: loss, accuracy, val_loss,
// val_accuracy (empty when there was no validation data), plus lr (the base
// learning rate the epoch trained with) and seconds (its wall time).
//
//   train::History h = train::fit(...);
//   h.val_accuracy.back();            // the last epoch's validation accuracy
//   train::write_csv(h, "out/history.csv");
//   train::write_history_charts(h, "out"); // loss.svg, accuracy.svg (plot.hpp)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ember::train {

// One epoch's figures, as fit() hands them to callbacks. Metrics are means
// over the epoch's examples; validation fields are unset without validation.
struct EpochLogs {
  int64_t epoch = 0;  // 1-based, as printed ("Epoch 3/10")
  double loss = 0.0;
  double accuracy = 0.0;
  std::optional<double> val_loss;
  std::optional<double> val_accuracy;
  double lr = 0.0;
  double seconds = 0.0;

  // By Keras name ("loss", "val_accuracy", "lr", ...); unset for a missing
  // validation figure. An unknown name throws ValueError listing the names.
  std::optional<double> get(const std::string& name) const;
};

struct History {
  std::vector<double> loss, accuracy, val_loss, val_accuracy, lr, seconds;
  // Why training ended early ("early stopping at epoch 7", "NaN loss ..."),
  // empty when every requested epoch ran.
  std::string stop_reason;

  void append(const EpochLogs& logs);
  int64_t epochs() const { return static_cast<int64_t>(loss.size()); }
  bool has_validation() const { return !val_loss.empty(); }
  // The column by Keras name; throws ValueError listing the names otherwise.
  const std::vector<double>& operator[](const std::string& name) const;
};

// The metric names EpochLogs::get and History::operator[] accept.
const std::vector<std::string>& history_keys();

// CSV with a header: epoch,loss,accuracy[,val_loss,val_accuracy],lr,seconds
// (epochs numbered from 1; numbers with enough digits to round-trip a float).
std::string to_csv(const History& history);
// Writes to_csv() atomically (temporary file + rename). Throws DataError.
void write_csv(const History& history, const std::string& path);

}  // namespace ember::train
