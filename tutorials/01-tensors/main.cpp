// Chapter 1: tensors. The numbers sit in one flat block of memory (the
// storage); a tensor is that block plus a shape, strides and an offset that
// say how to walk it. Views change the walk, never the numbers.
//
// What it prints, in order (the README beside this file explains each part):
//   1. storage: one tensor's storage, shape, strides and offset
//   2. views: transpose, slice, select, expand, view -- same storage, other walks
//   3. contiguous: when contiguous(), reshape() and clone() copy, and why view() refuses
//   4. picture: memory-layout.svg, each view's walk over the storage
//   5. report: results.md and results.csv (each view's shape, strides, offset,
//      and whether it shares x's storage) and report.html (the table and the picture)
//
//   build/tutorials/01-tensors/01-tensors                  # writes 01-tensors-output/
//   build/tutorials/01-tensors/01-tensors --rows 2 --cols 5 --output my-run
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "ember.hpp"
#include "harness/harness.hpp"
#include "harness/svg.hpp"

using ember::Tensor;

int64_t rows = 3, cols = 4;  // the example tensor x is [rows, cols]; --rows, --cols

// ---- the walk: which storage cells a tensor reads, in order -----------------
// The one formula behind every view: the element at index (i0, i1, ...) lives
// at storage[offset + i0 * strides[0] + i1 * strides[1] + ...]. Reading a
// tensor in order means counting the index up like an odometer (last dim
// fastest) and applying the formula each time.
std::vector<int64_t> walk(const Tensor& t) {
  std::vector<int64_t> positions;
  std::vector<int64_t> index(static_cast<size_t>(t.dim()), 0);
  for (int64_t n = 0; n < t.numel(); ++n) {
    int64_t position = t.offset();
    for (size_t d = 0; d < index.size(); ++d) position += index[d] * t.strides()[d];
    positions.push_back(position);
    for (size_t d = index.size(); d-- > 0;) {  // the next index: last dim fastest
      if (++index[d] < t.shape()[d]) break;
      index[d] = 0;
    }
  }
  return positions;
}

std::string join(const std::vector<int64_t>& v) {
  std::string s;
  for (int64_t e : v) s += (s.empty() ? "" : " ") + std::to_string(e);
  return s;
}

const char* yes_no(bool b) { return b ? "yes" : "no"; }

// ---- 1. storage, shape, strides, offset --------------------------------------

void show_storage(const Tensor& x) {
  std::cout << "== storage: one block of floats, and how to walk it ==\n";
  std::cout << "x = Tensor::arange(" << rows * cols << ").view({" << rows << ", " << cols
            << "})\n"
            << x << "\n"
            << "storage size " << x.storage()->size << " floats, shape "
            << ember::shape_str(x.shape()) << ", strides " << ember::shape_str(x.strides())
            << ", offset " << x.offset() << "\n";
  // One step down a row skips a whole row of storage; one step along it, one float.
  const int64_t i = rows - 1, j = 1;
  const int64_t position = x.offset() + i * x.strides()[0] + j * x.strides()[1];
  std::cout << "x(" << i << ", " << j << ") lives at storage[" << x.offset() << " + " << i
            << "*" << x.strides()[0] << " + " << j << "*" << x.strides()[1] << "] = storage["
            << position << "], which holds " << x.storage()->data[position]
            << " (x.at({" << i << ", " << j << "}) = " << x.at({i, j}) << ")\n\n";
}

// ---- 2. views: the same storage, walked another way ----------------------------

struct Example {
  std::string code;  // how the view was made, as a reader would write it
  Tensor view;
};

std::vector<Example> make_views(const Tensor& x) {
  const std::string r = std::to_string(rows), c = std::to_string(cols);
  return {
      {"x", x},
      {"x.view({" + c + ", " + r + "})", x.view({cols, rows})},
      {"x.t()", x.t()},
      {"x.slice(1, 1, 3)", x.slice(1, 1, 3)},
      {"x.slice(1, 0, " + c + ", 2)", x.slice(1, 0, cols, 2)},
      {"x.select(0, 1)", x.select(0, 1)},
      {"x.slice(0, 1, 2).expand({" + r + ", " + c + "})", x.slice(0, 1, 2).expand({rows, cols})},
  };
}

void show_views(const Tensor& x, const std::vector<Example>& views) {
  std::cout << "== views: the same storage, walked another way ==\n"
            << std::left << std::setw(34) << "view" << std::setw(9) << "shape" << std::setw(9)
            << "strides" << std::setw(7) << "offset" << std::setw(11) << "contiguous"
            << "storage cells read, in order\n";
  bool all_share = true, walks_are_values = true;
  for (const Example& e : views) {
    const Tensor& v = e.view;
    std::cout << std::setw(34) << e.code << std::setw(9) << ember::shape_str(v.shape())
              << std::setw(9) << ember::shape_str(v.strides()) << std::setw(7) << v.offset()
              << std::setw(11) << yes_no(v.is_contiguous()) << join(walk(v)) << "\n";
    all_share = all_share && v.shares_storage(x);
    // x holds 0, 1, 2, ...: each value is its own storage position, so
    // reading a view's values in order must give back its walk.
    std::vector<int64_t> values;
    for (float f : v.to_vector()) values.push_back(static_cast<int64_t>(f));
    walks_are_values = walks_are_values && values == walk(v);
  }
  std::cout << std::right << "every view shares x's storage (shares_storage): "
            << yes_no(all_share) << "\n"
            << "every view's values, read in order, are its walk: " << yes_no(walks_are_values)
            << "\n";

  // data() is the address of a view's first element: storage + offset.
  const Tensor s = x.slice(1, 1, 3);
  std::cout << "x.slice(1, 1, 3).data() - x.data() = " << (s.data() - x.data())
            << " float: the view starts one float into x's storage\n";

  // A write through a view is a write into the shared storage.
  Tensor t = x.t();
  t.at({1, 0}) = 100.0f;
  std::cout << "after x.t().at({1, 0}) = 100, x is\n" << x << "\n";
  t.at({1, 0}) = 1.0f;  // put it back
  std::cout << "\n";
}

// ---- 3. when numbers do move: contiguous(), reshape(), clone() -------------------

void show_copies(const Tensor& x) {
  std::cout << "== contiguous: when numbers do move ==\n";
  const Tensor a = x.contiguous();
  std::cout << "x.contiguous() is x itself (is_same): " << yes_no(a.is_same(x)) << "\n";
  const Tensor b = x.t().contiguous();
  std::vector<int64_t> moved;  // the copy's storage, in memory order
  for (int64_t p = 0; p < b.storage()->size; ++p)
    moved.push_back(static_cast<int64_t>(b.storage()->data[p]));
  std::cout << "x.t().contiguous() shares x's storage: " << yes_no(b.shares_storage(x))
            << "; a copy with strides " << ember::shape_str(b.strides())
            << " whose storage holds " << join(moved) << "\n";
  std::cout << "x.reshape({" << rows * cols << "}) shares x's storage: "
            << yes_no(x.reshape({rows * cols}).shares_storage(x)) << "\n"
            << "x.t().reshape({" << rows * cols << "}) shares x's storage: "
            << yes_no(x.t().reshape({rows * cols}).shares_storage(x)) << "\n";
  try {
    x.t().view({rows * cols});
  } catch (const ember::ShapeError& e) {
    std::cout << "x.t().view({" << rows * cols << "}) throws ShapeError: " << e.what() << "\n";
  }
  // A view keeps the whole storage alive: a row of a big matrix holds all of it.
  const Tensor big = Tensor::zeros({1000, 1000});
  const Tensor row = big.select(0, 0);
  std::cout << "big = zeros({1000, 1000}); big.select(0, 0) has " << row.numel()
            << " elements and keeps a storage of " << row.storage()->size
            << " floats alive; its clone() keeps " << row.clone().storage()->size << "\n\n";
}

// ---- 4. the picture: every view's walk over the storage ----------------------------
// One band per view: on the left its elements as you index them, on the right
// the storage with the cells it reads shaded, when each is read (small
// numbers), and an arrow from each cell read to the next: above the storage
// when the walk moves right, below when it jumps back.

// Writes the picture to path and returns it (the report shows it too).
std::string draw_walks(const Tensor& x, const std::vector<Example>& views, const std::string& path) {
  const double cell_w = 36, cell_h = 44, grid_cell = 20, strip_x = 330, pad = 14;
  const int64_t n = x.storage()->size;
  auto band_height = [&](const Tensor& v) {
    return 60 + std::max<double>(static_cast<double>(v.dim() == 2 ? v.size(0) : 1) * grid_cell,
                                 cell_h + 30);
  };
  double height = 10;
  for (const Example& e : views) height += band_height(e.view) + pad;
  tutorial::Svg svg(strip_x + static_cast<double>(n) * cell_w + 30, height);

  double y = 20;
  for (const Example& e : views) {
    const Tensor& v = e.view;
    const double band = band_height(v);
    svg.rect(6, y - 14, strip_x + static_cast<double>(n) * cell_w + 18, band, "#f7f7f7", "#dddddd");
    svg.text(14, y + 4, e.code, 14, "start", "#222222", true);
    svg.text(14, y + 22,
             "shape " + ember::shape_str(v.shape()) + "  strides " +
                 ember::shape_str(v.strides()) + "  offset " + std::to_string(v.offset()),
             12, "start", "#555555");
    svg.text(strip_x, y + 4, "storage: the cells read, when (small), the walk (arrows)", 12,
             "start", "#555555");

    // Left: the view as you index it; each element shows the storage cell it reads.
    const int64_t grid_rows = v.dim() == 2 ? v.size(0) : 1;
    const int64_t grid_cols = v.dim() == 2 ? v.size(1) : v.size(0);
    const std::vector<float> values = v.to_vector();
    for (int64_t i = 0; i < grid_rows; ++i)
      for (int64_t j = 0; j < grid_cols; ++j) {
        const double gx = 14 + static_cast<double>(j) * grid_cell;
        const double gy = y + 34 + static_cast<double>(i) * grid_cell;
        svg.rect(gx, gy, grid_cell, grid_cell, "#cfe2f3");
        const float value = values[static_cast<size_t>(i * grid_cols + j)];
        svg.text(gx + grid_cell / 2, gy + 14, std::to_string(static_cast<int64_t>(value)), 11);
      }

    // Right: the storage. A shaded cell is read; below its value, when.
    const std::vector<int64_t> order = walk(v);
    std::vector<std::string> when(static_cast<size_t>(n));
    for (size_t k = 0; k < order.size(); ++k) {
      std::string& w = when[static_cast<size_t>(order[k])];
      w += (w.empty() ? "" : ",") + std::to_string(k);
    }
    const double sy = y + 34;
    for (int64_t p = 0; p < n; ++p) {
      const double cx = strip_x + static_cast<double>(p) * cell_w;
      const std::string& w = when[static_cast<size_t>(p)];
      svg.rect(cx, sy, cell_w, cell_h, w.empty() ? "#ffffff" : "#9fc5e8");
      svg.text(cx + cell_w / 2, sy + 20, std::to_string(p), 14, "middle",
               w.empty() ? "#aaaaaa" : "#000000");
      if (!w.empty()) svg.text(cx + cell_w / 2, sy + 37, w, 9, "middle", "#1c4587");
    }
    for (size_t k = 1; k < order.size(); ++k) {
      const int64_t from = order[k - 1], to = order[k];
      if (from == to) continue;
      const double x1 = strip_x + (static_cast<double>(from) + 0.5) * cell_w;
      const double x2 = strip_x + (static_cast<double>(to) + 0.5) * cell_w;
      const double bend = 4 + 1.2 * static_cast<double>(std::abs(to - from));
      if (to > from)
        svg.curved_arrow(x1, sy - 2, x2, sy - 2, bend, "#cc0000", 1.0);
      else
        svg.curved_arrow(x1, sy + cell_h + 2, x2, sy + cell_h + 2, -bend, "#e69138", 1.0);
    }
    y += band + pad;
  }
  svg.save(path);
  return svg.str();
}

// ---- 5. the report: the views' numbers as a table, and the picture ----------------------------

void report(tutorial::Run& run, const Tensor& x, const std::vector<Example>& views,
            const std::string& picture) {
  ember::train::ResultsTable results(
      {"tensor", "shape", "strides", {"offset", 0}, "contiguous", "shares x's storage"});
  auto add = [&](const std::string& code, const Tensor& t) {
    results.add_row({code, ember::shape_str(t.shape()), ember::shape_str(t.strides()), t.offset(),
                     yes_no(t.is_contiguous()), yes_no(t.shares_storage(x))});
  };
  for (const Example& e : views) add(e.code, e.view);
  // The two that copy, for contrast: a transpose made contiguous, then flattened.
  const std::string n = std::to_string(rows * cols);
  add("x.t().contiguous()", x.t().contiguous());
  add("x.t().reshape({" + n + "})", x.t().reshape({rows * cols}));
  run.write_results(results);

  ember::train::Report page("Chapter 1: tensors -- storage, shape, strides, offset, and views");
  page.paragraph("A tensor is one flat block of numbers (its storage) plus a shape, strides and an "
                 "offset that say how to walk it. x = arange(" + n + ").view({" +
                 std::to_string(rows) + ", " + std::to_string(cols) + "}) holds its own storage "
                 "positions, so each view's values are the cells it reads. Every view below "
                 "shares x's storage and only walks it another way; contiguous() and reshape() "
                 "of a transpose have to copy.")
      .table(results, "each tensor's walk: shape, strides, offset")
      .chart(picture, "memory-layout.svg: each view's walk over the storage");
  run.write_report(page);
}

// ---- the chapter ----------------------------------------------------------------------

void chapter(tutorial::Run& run) {
  // x holds 0, 1, 2, ...: every value is its own position in the storage.
  const Tensor x = Tensor::arange(rows * cols).view({rows, cols});
  show_storage(x);
  const std::vector<Example> views = make_views(x);
  show_views(x, views);
  show_copies(x);
  std::cout << "== picture ==\n";
  const std::string picture = draw_walks(x, views, run.file("memory-layout.svg"));
  std::cout << "memory-layout.svg: the storage of x and the walk of each of the "
            << views.size() << " views over it\n";
  report(run, x, views, picture);
}

int main(int argc, char** argv) {
  tutorial::Options options{.output = "01-tensors-output"};
  CLI::App app{"Chapter 1: tensors -- storage, shape, strides, offset, and views"};
  app.add_option("--rows", rows, "rows of the example tensor x")
      ->check(CLI::Range(2, 6))->capture_default_str();
  app.add_option("--cols", cols, "columns of the example tensor x")
      ->check(CLI::Range(3, 8))->capture_default_str();
  return tutorial::run(app, options, argc, argv, chapter);
}
