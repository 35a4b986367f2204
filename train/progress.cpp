// progress.cpp — drawing the progress line (format in progress.hpp).
#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace ember::train {

std::string format_duration(double seconds) {
  const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  char buf[48];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s % 3600) / 60, s % 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%llds", s);
  return buf;
}

namespace {

std::string per_step(double seconds_per_step) {
  char buf[32];
  if (seconds_per_step >= 1.0)
    std::snprintf(buf, sizeof buf, "%.0fs/step", seconds_per_step);
  else if (seconds_per_step >= 1e-3)
    std::snprintf(buf, sizeof buf, "%.0fms/step", seconds_per_step * 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0fus/step", seconds_per_step * 1e6);
  return buf;
}

}  // namespace

std::string progress_line(int64_t step, int64_t total, double elapsed, const Metrics& metrics,
                          bool finished, int bar_width) {
  step = std::clamp<int64_t>(step, 0, std::max<int64_t>(total, 0));
  const std::string total_text = std::to_string(total);
  std::string counter = std::to_string(step);
  counter.insert(0, total_text.size() > counter.size() ? total_text.size() - counter.size() : 0,
                 ' ');
  std::string line = counter + "/" + total_text + " [";
  // Keras' bar: '=' for the done part, '>' at its head while running, '.' after.
  const int filled = total > 0 ? static_cast<int>(bar_width * step / total) : bar_width;
  std::string bar(static_cast<size_t>(bar_width), '.');
  for (int i = 0; i < filled; ++i) bar[i] = '=';
  if (step < total && filled > 0) bar[filled - 1] = '>';
  line += bar + "] - " + format_duration(elapsed);
  const double per = step > 0 ? elapsed / static_cast<double>(step) : 0.0;
  if (!finished) line += " - ETA: " + format_duration(per * static_cast<double>(total - step));
  if (step > 0) line += " - " + per_step(per);
  for (const auto& [name, value] : metrics) {
    char buf[64];
    // Keras prints 4 decimals; tiny losses switch to exponent form, as it does.
    if (value != 0.0 && std::fabs(value) < 1e-3)
      std::snprintf(buf, sizeof buf, "%.4e", value);
    else
      std::snprintf(buf, sizeof buf, "%.4f", value);
    line += " - " + name + ": " + buf;
  }
  return line;
}

bool is_terminal(const std::ostream& os) {
  if (&os == &std::cout) return ::isatty(STDOUT_FILENO) == 1;
  if (&os == &std::cerr) return ::isatty(STDERR_FILENO) == 1;
  return false;
}

ProgressBar::ProgressBar(int64_t total_steps, std::ostream& out, Verbosity verbosity,
                         bool interactive)
    : total_(total_steps),
      out_(out),
      verbosity_(verbosity),
      interactive_(interactive),
      start_(std::chrono::steady_clock::now()) {}

double ProgressBar::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::draw(const std::string& line) {
  // Pad with spaces so a shorter line fully covers the previous one.
  std::string padded = line;
  if (padded.size() < last_length_) padded.append(last_length_ - padded.size(), ' ');
  last_length_ = line.size();
  out_ << '\r' << padded << std::flush;
}

void ProgressBar::update(int64_t step, const Metrics& metrics) {
  step_ = step;
  if (verbosity_ != Verbosity::ProgressBar || step >= total_) return;  // finish() draws the end
  const double now = elapsed();
  if (interactive_) {
    if (now - last_draw_ < 0.05 && step > 1) return;
    last_draw_ = now;
    draw(progress_line(step, total_, now, metrics, false));
    return;
  }
  const int64_t tenth = total_ > 0 ? step * 10 / total_ : 10;
  if (tenth > last_tenth_) {
    last_tenth_ = tenth;
    out_ << progress_line(step, total_, now, metrics, false) << '\n' << std::flush;
  }
}

void ProgressBar::finish(const Metrics& metrics) {
  if (verbosity_ == Verbosity::Silent) return;
  const std::string line = progress_line(std::max(step_, total_), total_, elapsed(), metrics, true);
  if (interactive_ && verbosity_ == Verbosity::ProgressBar) {
    draw(line);
    out_ << '\n' << std::flush;
  } else {
    out_ << line << '\n' << std::flush;
  }
}

}  // namespace ember::train
