// test_progress.cpp — the Keras-style progress line and its two output modes.
#include <doctest/doctest.h>

#include <sstream>

#include "train/progress.hpp"

using namespace ember;

TEST_CASE("format_duration follows Keras: 45s, 2:05, 1:02:03") {
  CHECK(train::format_duration(45.2) == "45s");
  CHECK(train::format_duration(125) == "2:05");
  CHECK(train::format_duration(3723) == "1:02:03");
  CHECK(train::format_duration(-1) == "0s");
}

TEST_CASE("progress_line while running and when finished") {
  // 234 of 1875 steps in 3 s: 12.8 ms/step, ETA 1641 * 0.0128 = 21 s; the bar
  // fills int(30 * 234 / 1875) = 3 cells, the last one the '>' head (Keras).
  const std::string running =
      train::progress_line(234, 1875, 3.0, {{"loss", 0.61234}, {"accuracy", 0.78125}}, false);
  CHECK(running ==
        " 234/1875 [==>...........................] - 3s - ETA: 21s - 13ms/step - loss: 0.6123 "
        "- accuracy: 0.7812");
  const std::string done = train::progress_line(
      1875, 1875, 25.0, {{"loss", 0.48}, {"val_accuracy", 0.859375}}, true);
  CHECK(done ==
        "1875/1875 [==============================] - 25s - 13ms/step - loss: 0.4800 - "
        "val_accuracy: 0.8594");
  // Tiny values switch to exponent form instead of printing 0.0000.
  CHECK(train::progress_line(1, 1, 0.0005, {{"loss", 1.5e-5}}, true).find("loss: 1.5000e-05") !=
        std::string::npos);
  CHECK(train::progress_line(1, 2, 0.0005, {}, false).find("500us/step") != std::string::npos);
}

TEST_CASE("not a terminal: plain lines at each tenth, then the final line") {
  std::ostringstream out;
  train::ProgressBar bar(20, out, train::Verbosity::ProgressBar, false);
  for (int64_t s = 1; s <= 20; ++s) bar.update(s, {{"loss", 1.0}});
  bar.finish({{"loss", 1.0}, {"val_loss", 2.0}});
  const std::string text = out.str();
  CHECK(text.find('\r') == std::string::npos);
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  CHECK(lines == 10);  // steps 2, 4, ..., 18 and the final line
  CHECK(text.find("20/20 [==============================]") != std::string::npos);
  CHECK(text.find("val_loss: 2.0000\n") != std::string::npos);
}

TEST_CASE("a terminal: redrawn in place with \\r, one newline at the end") {
  std::ostringstream out;
  train::ProgressBar bar(3, out, train::Verbosity::ProgressBar, true);
  bar.update(1, {{"loss", 1.0}});
  bar.update(2, {{"loss", 1.0}});  // throttled (under 50 ms since the last draw)
  bar.update(3, {{"loss", 1.0}});
  bar.finish({{"loss", 0.5}});
  const std::string text = out.str();
  CHECK(text.front() == '\r');
  CHECK(text.back() == '\n');
  size_t newlines = 0;
  for (char c : text) newlines += c == '\n';
  CHECK(newlines == 1);
  CHECK(text.find("3/3 [==============================]") != std::string::npos);
}

TEST_CASE("verbosity: one line per epoch, or nothing") {
  std::ostringstream per_epoch, silent;
  train::ProgressBar a(5, per_epoch, train::Verbosity::OneLinePerEpoch, false);
  train::ProgressBar b(5, silent, train::Verbosity::Silent, true);
  for (int64_t s = 1; s <= 5; ++s) {
    a.update(s, {});
    b.update(s, {});
  }
  a.finish({{"loss", 1.0}});
  b.finish({{"loss", 1.0}});
  CHECK(per_epoch.str().rfind("5/5 [", 0) == 0);
  CHECK(per_epoch.str().find('\n') == per_epoch.str().size() - 1);
  CHECK(silent.str().empty());
}
