// progress.hpp — the Keras-style progress line fit() prints for each epoch.
//
//    234/1875 [===>..........................] - 3s - ETA: 21s - 13ms/step - loss: 0.6123 - accuracy: 0.7812
//   1875/1875 [==============================] - 25s - 13ms/step - loss: 0.4801 - accuracy: 0.8290 - val_loss: 0.3912 - val_accuracy: 0.8594
//
// On a terminal the line is redrawn in place with '\r' (at most 20 times a
// second, so drawing never slows training). When output goes to a file or a
// pipe, '\r' would pile up into one enormous line, so plain lines are printed
// instead, one per tenth of the epoch, and the final one.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace ember::train {

using Metrics = std::vector<std::pair<std::string, double>>;

// How much fit()/evaluate() print (Keras' verbose): nothing, the live
// progress line, or one line per epoch.
enum class Verbosity { Silent = 0, ProgressBar = 1, OneLinePerEpoch = 2 };

// The text of one progress line (no '\r', no newline). `finished` replaces
// the ETA with the epoch's total time, as Keras' last update does.
std::string progress_line(int64_t step, int64_t total, double elapsed_seconds,
                          const Metrics& metrics, bool finished, int bar_width = 30);

// "45s", "2:05", "1:02:03": Keras' duration format.
std::string format_duration(double seconds);

// True when `os` is std::cout or std::cerr and that stream is a terminal.
bool is_terminal(const std::ostream& os);

class ProgressBar {
 public:
  // interactive: redraw in place (a terminal); otherwise plain lines.
  ProgressBar(int64_t total_steps, std::ostream& out, Verbosity verbosity, bool interactive);
  // After step `step` (1-based) with the running metrics.
  void update(int64_t step, const Metrics& metrics);
  // The epoch's last line: final metrics, validation included; ends the line.
  void finish(const Metrics& metrics);

 private:
  double elapsed() const;
  void draw(const std::string& line);

  int64_t total_;
  std::ostream& out_;
  Verbosity verbosity_;
  bool interactive_;
  std::chrono::steady_clock::time_point start_;
  double last_draw_ = -1.0;
  int64_t last_tenth_ = 0;
  int64_t step_ = 0;
  size_t last_length_ = 0;
};

}  // namespace ember::train
