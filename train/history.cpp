// history.cpp — History bookkeeping and its CSV form.
#include "history.hpp"

#include <cstdio>
#include <cstdlib>

#include "../tensor/atomic_file.hpp"
#include "../tensor/error.hpp"

namespace ember::train {

namespace {

std::string known_names() {
  std::string s;
  for (const std::string& k : history_keys()) s += (s.empty() ? "" : ", ") + k;
  return s;
}

// The shortest text (6 to 9 significant digits) that reads back as the same
// float: the figures are float32 quantities, so 0.001f prints as 0.001, not
// 0.00100000005, and nothing is lost.
std::string number(double v) {
  char buf[32];
  for (int digits = 6; digits <= 9; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (static_cast<float>(std::strtod(buf, nullptr)) == static_cast<float>(v)) break;
  }
  return buf;
}

}  // namespace

const std::vector<std::string>& history_keys() {
  static const std::vector<std::string> keys = {"loss", "accuracy", "val_loss",
                                                "val_accuracy", "lr", "seconds"};
  return keys;
}

std::optional<double> EpochLogs::get(const std::string& name) const {
  if (name == "loss") return loss;
  if (name == "accuracy") return accuracy;
  if (name == "val_loss") return val_loss;
  if (name == "val_accuracy") return val_accuracy;
  if (name == "lr") return lr;
  if (name == "seconds") return seconds;
  detail::raise<ValueError>("EpochLogs: no metric named '", name, "' (known: ", known_names(),
                            ")");
}

void History::append(const EpochLogs& logs) {
  loss.push_back(logs.loss);
  accuracy.push_back(logs.accuracy);
  if (logs.val_loss) val_loss.push_back(*logs.val_loss);
  if (logs.val_accuracy) val_accuracy.push_back(*logs.val_accuracy);
  lr.push_back(logs.lr);
  seconds.push_back(logs.seconds);
}

const std::vector<double>& History::operator[](const std::string& name) const {
  if (name == "loss") return loss;
  if (name == "accuracy") return accuracy;
  if (name == "val_loss") return val_loss;
  if (name == "val_accuracy") return val_accuracy;
  if (name == "lr") return lr;
  if (name == "seconds") return seconds;
  detail::raise<ValueError>("History: no metric named '", name, "' (known: ", known_names(), ")");
}

std::string to_csv(const History& h) {
  const bool val = h.has_validation();
  std::string out = val ? "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n"
                        : "epoch,loss,accuracy,lr,seconds\n";
  // A field of column `values` at row e; empty when the column is shorter
  // (validation that started late or stopped early).
  auto field = [&out](const std::vector<double>& values, int64_t e) {
    out.push_back(',');
    if (e < static_cast<int64_t>(values.size())) out.append(number(values[e]));
  };
  for (int64_t e = 0; e < h.epochs(); ++e) {
    out.append(std::to_string(e + 1));
    field(h.loss, e);
    field(h.accuracy, e);
    if (val) {
      field(h.val_loss, e);
      field(h.val_accuracy, e);
    }
    field(h.lr, e);
    field(h.seconds, e);
    out.push_back('\n');
  }
  return out;
}

void write_csv(const History& history, const std::string& path) {
  write_file_atomically(path, to_csv(history));
}

}  // namespace ember::train
