// Chapter 6: convolution from scratch, and benchmarking kernels. One layer
// (the quickstart CNN's second convolution: 32 -> 32 channels, 5x5, 28x28)
// computed by the naive loops, by im2col + GEMM, by ember's own kernels and
// by a kernel of your own (conv_kernels.cpp holds them all); every one
// checked against the naive loops, then timed against the rate the machine
// reaches on the same matrix product alone. Then where a whole CNN's
// training step spends its time, layer by layer.
//
// What it prints, in order (the README beside this file explains each part):
//   1. layer: the shapes, the work (FLOPs), the same work as matrix products
//   2. im2col: the lowering on a 4x4 image, drawn as im2col.svg; the
//      textbook version against ember's kernels::im2col on the layer
//   3. check: every kernel's output against the naive loops' (max |difference|)
//   4. time: every kernel's median time, GFLOP/s and share of SGEMM's rate on the
//      same products
//   5. profile: train::profile of the quickstart CNN, layer by layer
//   6. report: results.md, results.csv (the check and the timings per kernel) and
//      report.html (that table, a bar chart of GFLOP/s per kernel, im2col.svg)
//
//   build/tutorials/06-convolution/06-convolution           # writes 06-convolution-output/
//   build/tutorials/06-convolution/06-convolution --repeats 11 --batch-size 8
//   build/tutorials/06-convolution/06-convolution-bench     # the same kernels, Google Benchmark
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "conv_kernels.hpp"
#include "ember.hpp"
#include "harness/harness.hpp"
#include "harness/svg.hpp"

using ember::Tensor;

int repeats = 5;             // timed rounds of every kernel (--repeats); medians are shown
int64_t profile_steps = 10;  // training steps train::profile times (--profile-steps)

using tutorial::fixed;       // "%.*f" as a string (harness.hpp)
using tutorial::scientific;  // "%.1e" as a string

// ---- 1. the layer ----------------------------------------------------------------

void show_layer(const conv::Layer& layer) {
  std::cout << "== layer: the quickstart CNN's second convolution ==\n" << std::left
            << "input  " << std::setw(18) << ember::shape_str(layer.input())
            << "(batch, channels, height, width)\n"
            << "weight " << std::setw(18) << ember::shape_str(layer.weight())
            << "(out, in, kernel rows, kernel columns)\n"
            << "output " << std::setw(18) << ember::shape_str(layer.output()) << "(padding "
            << layer.pad << ": 'same', the output as large as the input)\n" << std::right
            << "work: " << layer.out_channels << " * " << layer.gemm_n() << " outputs per image, "
            << "each a sum of " << layer.gemm_k() << " products: "
            << fixed(layer.flops() / 1e9, 3) << " GFLOP for the batch (2 per multiply-add)\n"
            << "as matrix products: per image, weight [" << layer.gemm_m() << ", "
            << layer.gemm_k() << "] x columns [" << layer.gemm_k() << ", " << layer.gemm_n()
            << "]\n\n";
}

// ---- 2. im2col, on a small image and on the layer ---------------------------------

// Prints a [rows, cols] matrix of small whole numbers, each row after its label.
void print_matrix(const std::vector<float>& m, int64_t rows, int64_t cols,
                  const std::function<std::string(int64_t)>& label) {
  for (int64_t r = 0; r < rows; ++r) {
    std::cout << std::left << std::setw(10) << label(r) << std::right;
    for (int64_t c = 0; c < cols; ++c)
      std::cout << std::setw(4) << static_cast<int>(m[static_cast<size_t>(r * cols + c)]);
    std::cout << "\n";
  }
}

// The picture: the padded image with one output pixel's receptive field,
// and the columns, where that field is one column. Saved at path, and
// returned (for the report).
std::string draw_im2col(const std::vector<float>& image, const std::vector<float>& columns, int64_t size,
                 int64_t kernel, int64_t pad, int64_t oy, int64_t ox, const std::string& path) {
  const int64_t padded = size + 2 * pad, out = size + 2 * pad - kernel + 1;
  const int64_t rows = kernel * kernel, cols = out * out, chosen = oy * out + ox;
  const double cell = 30, ix = 20, iy = 90;  // the image's cells and corner
  const double cw = 26, ch = 24, cx = 330, cy = 90;  // the columns' cells and corner
  tutorial::Svg svg(cx + static_cast<double>(cols) * cw + 20, cy + static_cast<double>(rows) * ch + 66);
  const std::string field = "#9fc5e8", padding = "#eeeeee";
  svg.text(ix, 24, "image [1, " + std::to_string(size) + ", " + std::to_string(size) +
                       "], padding " + std::to_string(pad), 14, "start", "#222222", true);
  svg.text(ix, 44, "the " + std::to_string(kernel) + "x" + std::to_string(kernel) +
                       " field of output (" + std::to_string(oy) + ", " + std::to_string(ox) + ")",
           12, "start");
  for (int64_t r = 0; r < padded; ++r)
    for (int64_t c = 0; c < padded; ++c) {
      const bool inside = r >= pad && r < pad + size && c >= pad && c < pad + size;
      const bool in_field = r >= oy && r < oy + kernel && c >= ox && c < ox + kernel;
      const double x = ix + static_cast<double>(c) * cell, y = iy + static_cast<double>(r) * cell;
      svg.rect(x, y, cell, cell, in_field ? field : inside ? "#ffffff" : padding,
               inside ? "#444444" : "#bbbbbb");
      const float v = inside ? image[static_cast<size_t>((r - pad) * size + c - pad)] : 0.0f;
      svg.text(x + cell / 2, y + 20, std::to_string(static_cast<int>(v)), 13, "middle",
               inside ? "#222222" : "#999999");
    }
  svg.text(cx, 24, "columns [" + std::to_string(rows) + ", " + std::to_string(cols) +
                       "]: one column per output pixel", 14, "start", "#222222", true);
  svg.text(cx, 44, "column " + std::to_string(chosen) + " = output (" + std::to_string(oy) + ", " +
                       std::to_string(ox) + ")'s field, read row by row",
           12, "start");
  for (int64_t c = 0; c < cols; ++c)
    svg.text(cx + (static_cast<double>(c) + 0.5) * cw, cy - 6, std::to_string(c), 10, "middle",
             "#666666");
  for (int64_t r = 0; r < rows; ++r) {
    svg.text(cx - 6, cy + (static_cast<double>(r) + 0.5) * ch + 4,
             "(0," + std::to_string(r / kernel) + "," + std::to_string(r % kernel) + ")", 10, "end",
             "#666666");
    for (int64_t c = 0; c < cols; ++c) {
      const double x = cx + static_cast<double>(c) * cw, y = cy + static_cast<double>(r) * ch;
      const float v = columns[static_cast<size_t>(r * cols + c)];
      svg.rect(x, y, cw, ch, c == chosen ? field : "#ffffff", "#999999");
      svg.text(x + cw / 2, y + 16, std::to_string(static_cast<int>(v)), 11, "middle",
               v != 0.0f ? "#222222" : c == chosen ? "#4a6a90" : "#aaaaaa");
    }
  }
  // From the field in the image to its column.
  const double from_x = ix + static_cast<double>(ox + kernel) * cell + 4;
  const double from_y = iy + (static_cast<double>(oy) + kernel / 2.0) * cell;
  svg.curved_arrow(from_x, from_y, cx + (static_cast<double>(chosen) + 0.5) * cw, cy - 22, 30,
                   "#1c4587", 1.5);
  const double bottom = cy + static_cast<double>(rows) * ch;
  svg.text(ix, bottom + 32,
           "one output channel: out [1, " + std::to_string(cols) + "] = its weight row [1, " +
               std::to_string(rows) + "] x columns [" + std::to_string(rows) + ", " +
               std::to_string(cols) + "]",
           13, "start");
  svg.text(ix, bottom + 52, "(the columns are shared by every output channel: one matrix product for all)",
           12, "start", "#444444");
  svg.save(path);
  return svg.str();
}

// Returns the picture im2col.svg (for the report).
std::string show_im2col(tutorial::Run& run, const conv::Layer& layer, const Tensor& input) {
  const int64_t size = 4, kernel = 3, pad = 1, out = size + 2 * pad - kernel + 1;
  std::cout << "== im2col: a " << size << "x" << size << " image (1 channel), a " << kernel << "x"
            << kernel << " kernel, padding " << pad << " -> columns [" << kernel * kernel << ", "
            << out * out << "] ==\n";
  std::vector<float> image(static_cast<size_t>(size * size));
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<float>(i + 1);  // 1..16
  std::vector<float> columns(static_cast<size_t>(kernel * kernel * out * out));
  conv::im2col_textbook(image.data(), 1, size, kernel, pad, columns.data());
  std::cout << "image:\n";
  print_matrix(image, size, size, [](int64_t) { return std::string(); });
  std::cout << "columns (row (c,i,j) = kernel tap; column oy*" << out << "+ox = output pixel):\n";
  print_matrix(columns, kernel * kernel, out * out, [&](int64_t r) {
    return "(0," + std::to_string(r / kernel) + "," + std::to_string(r % kernel) + ")";
  });
  const std::string picture =
      draw_im2col(image, columns, size, kernel, pad, 0, 3, run.file("im2col.svg"));

  // The textbook version against ember's kernels::im2col, image by image of the layer.
  const int64_t k = layer.gemm_k(), p = layer.gemm_n();
  std::vector<float> mine(static_cast<size_t>(k * p)), embers(static_cast<size_t>(k * p));
  float worst = 0.0f;
  const int64_t image_size = layer.in_channels * layer.size * layer.size;
  for (int64_t n = 0; n < layer.batch; ++n) {
    const float* x = input.data() + n * image_size;
    conv::im2col_textbook(x, layer.in_channels, layer.size, layer.kernel, layer.pad, mine.data());
    ember::kernels::im2col(x, layer.in_channels, layer.size, layer.size, layer.kernel,
                           layer.kernel, {.pad_h = layer.pad, .pad_w = layer.pad}, embers.data());
    for (size_t i = 0; i < mine.size(); ++i) worst = std::max(worst, std::abs(mine[i] - embers[i]));
  }
  std::cout << "on the layer, image by image: im2col_textbook and kernels::im2col give "
            << "columns [" << k << ", " << p << "] with max |difference| = " << worst << "\n\n";
  return picture;
}

// ---- 3. every kernel against the naive loops --------------------------------------

float max_difference(const Tensor& a, const Tensor& b) { return (a - b).abs().max().item(); }

// Returns every kernel's max |out - naive| (0 for the naive loops themselves).
std::vector<double> check_kernels(const conv::Layer& layer, const Tensor& input,
                                  const Tensor& weight, const Tensor& bias) {
  std::cout << "== check: every kernel against the naive loops, batch " << layer.batch << " ==\n";
  const auto& kernels = conv::kernels();
  const Tensor naive = kernels[0].run(input, weight, bias, layer.pad);
  std::cout << "outputs range over +-" << fixed(naive.abs().max().item(), 1) << "\n"
            << std::left << std::setw(14) << "kernel" << "max |out - naive|\n";
  std::vector<double> differences{0.0};
  for (size_t i = 1; i < kernels.size(); ++i) {
    const float d = max_difference(kernels[i].run(input, weight, bias, layer.pad), naive);
    differences.push_back(d);
    std::cout << std::setw(14) << kernels[i].name << (d == 0.0f ? "0" : scientific(d))
              << (d < 1e-4f ? "" : "   NOT EQUAL: a bug, or a sum in another precision") << "\n";
  }
  std::cout << std::right << "\n";
  return differences;
}

// ---- 4. timing: medians of rounds, against SGEMM at the same products ---------------

// How long one call took: on the wall clock, and on the CPU (the time the
// process actually ran: on a shared machine, the wall clock also counts the
// time the kernel waited for a core that another program had).
struct Seconds {
  double wall, cpu;
};

Seconds time_of(const std::function<void()>& f) {
  const auto wall = std::chrono::steady_clock::now();
  const std::clock_t cpu = std::clock();
  f();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count(),
          static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The 1-minute load average (how many programs wanted a core), as Linux
// reports it; -1 elsewhere.
double load_average() {
  double load = -1.0;
  std::ifstream("/proc/loadavg") >> load;
  return load;
}

// One row of the timing table.
struct Timing {
  std::string name;
  double wall_ms, cpu_ms, gflops, of_sgemm;
};

// Returns the table's rows: sgemm first, then every kernel in conv::kernels()' order.
std::vector<Timing> time_kernels(tutorial::Run& run, const conv::Layer& layer, const Tensor& input,
                                 const Tensor& weight, const Tensor& bias) {
  std::cout << "== time: " << ember::get_num_threads() << " thread(s), median of " << repeats
            << " rounds, batch " << layer.batch << " ==\n";
  // SGEMM: the products the layer's images make, [M, K] x [K, N] once per
  // image, on columns already lowered: the machine's rate on this work.
  const int64_t m = layer.gemm_m(), k = layer.gemm_k(), n = layer.gemm_n();
  const Tensor a = Tensor::randn({m, k}), b = Tensor::randn({k, n}), c = Tensor::empty({m, n});
  auto sgemm = [&] {
    for (int64_t image = 0; image < layer.batch; ++image)
      ember::kernels::sgemm(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c.data(), n);
  };
  // Round by round, every kernel once: a change of load during the run slows
  // them all alike. Round 0 is not timed (first touches of memory, cold caches).
  const auto& kernels = conv::kernels();
  std::vector<std::vector<double>> wall(kernels.size() + 1), cpu(kernels.size() + 1);  // [0]: sgemm
  const double load = load_average();
  for (int round = 0; round <= repeats; ++round)
    for (size_t i = 0; i <= kernels.size(); ++i) {
      const Seconds t = time_of(i == 0 ? std::function<void()>(sgemm) : [&] {
        kernels[i - 1].run(input, weight, bias, layer.pad);
      });
      if (round == 0) continue;
      wall[i].push_back(t.wall);
      cpu[i].push_back(t.cpu);
    }
  const double sgemm_gflops = layer.flops() / median(cpu[0]) / 1e9;
  std::cout << "load average before: " << fixed(load, 2) << " (" << std::thread::hardware_concurrency()
            << " cores); GFLOP/s from the CPU time\n"
            << std::left << std::setw(14) << "kernel" << std::right << std::setw(10) << "wall ms"
            << std::setw(10) << "CPU ms" << std::setw(10) << "GFLOP/s" << std::setw(10)
            << "of SGEMM" << "\n";
  std::ofstream csv(run.file("timings.csv"));
  csv << "kernel,batch,threads,wall_ms,cpu_ms,gflops,of_sgemm\n";
  std::vector<Timing> timings;
  for (size_t i = 0; i <= kernels.size(); ++i) {
    const std::string name = i == 0 ? "sgemm" : kernels[i - 1].name;
    const double wall_ms = 1e3 * median(wall[i]), cpu_ms = 1e3 * median(cpu[i]);
    const double gflops = layer.flops() / median(cpu[i]) / 1e9;
    std::cout << std::left << std::setw(14) << name << std::right << std::setw(10)
              << fixed(wall_ms, 1) << std::setw(10) << fixed(cpu_ms, 1) << std::setw(10)
              << fixed(gflops, 1) << std::setw(9) << fixed(100 * gflops / sgemm_gflops, 0) << "%\n";
    csv << name << "," << layer.batch << "," << ember::get_num_threads() << "," << fixed(wall_ms, 3)
        << "," << fixed(cpu_ms, 3) << "," << fixed(gflops, 2) << ","
        << fixed(gflops / sgemm_gflops, 3) << "\n";
    timings.push_back({name, wall_ms, cpu_ms, gflops, gflops / sgemm_gflops});
  }
  std::cout << "(sgemm: the layer's " << layer.batch << " products [" << m << ", " << k << "] x ["
            << k << ", " << n << "] alone, on columns already made)\n\n";
  return timings;
}

// ---- 5. where a CNN's training step goes, layer by layer ----------------------------

void profile_cnn(tutorial::Run& run, int64_t batch) {
  std::cout << "== profile: the quickstart CNN (nn::zoo::cnn_4conv), batch " << batch << ", "
            << profile_steps << " training steps ==\n";
  ember::manual_seed(run.options.seed);
  const auto model = ember::nn::zoo::cnn_4conv(10);
  const ember::train::ProfileReport report = ember::train::profile(
      *model, {batch, 1, 28, 28}, profile_steps, {.warmup = 1, .print = false});
  const std::string table = ember::train::format_profile(report);
  std::cout << table;
  std::ofstream(run.file("profile.txt")) << table;
}

// ---- 6. the report -------------------------------------------------------------------------

// results.md, results.csv: per kernel its max difference from the naive loops,
// times, GFLOP/s and share of SGEMM's rate; report.html: that table, the
// GFLOP/s as bars and the im2col picture.
void report(tutorial::Run& run, const conv::Layer& layer, const std::vector<double>& differences,
            const std::vector<Timing>& timings, const std::string& im2col_svg) {
  namespace train = ember::train;
  train::ResultsTable results({"kernel", {"max |out - naive|", -1}, {"wall ms", 2},
                               {"CPU ms", 2}, {"GFLOP/s", 2}, {"% of SGEMM", 0}});
  std::vector<std::string> names;
  std::vector<double> gflops;
  for (size_t i = 0; i < timings.size(); ++i) {
    const Timing& t = timings[i];
    // timings[0] is SGEMM alone: it computes no convolution to compare.
    results.add_row({t.name, i == 0 ? train::Cell() : train::Cell(differences[i - 1]), t.wall_ms,
                     t.cpu_ms, t.gflops, 100 * t.of_sgemm});
    names.push_back(t.name);
    gflops.push_back(t.gflops);
  }
  run.write_results(results);
  train::Report page("Chapter 6: convolution from scratch, and benchmarking kernels");
  page.paragraph("One convolution layer (32 -> 32 channels, 5x5, padding 2, 28x28 images, batch " +
                 std::to_string(layer.batch) + ", " + fixed(layer.flops() / 1e9, 3) +
                 " GFLOP) computed by the naive loops, by im2col + GEMM, by ember's kernels and by "
                 "a reordered loop nest: every kernel agrees with the naive loops up to float "
                 "rounding, and doing the work as a matrix product does it (im2col + GEMM, or "
                 "ember's direct kernels, tiled like one) is what makes it fast. Times are medians of " + std::to_string(repeats) +
                 " rounds on " + std::to_string(ember::get_num_threads()) +
                 " thread(s); they vary with the machine's load. sgemm is the layer's matrix "
                 "products alone, on columns already made: the rate the others are measured "
                 "against.")
      .table(results, "every kernel: checked against the naive loops, then timed")
      .chart(train::bar_chart_svg(names, {{.label = "GFLOP/s", .values = gflops}},
                                  {.title = "GFLOP/s per kernel (from the CPU time)",
                                   .y_label = "GFLOP/s", .decimals = 1}))
      .chart(im2col_svg, "im2col: a 3x3 field of the padded image becomes one column");
  run.write_report(page);
}

// ---- the chapter --------------------------------------------------------------------------

void chapter(tutorial::Run& run) {
  show_layer(conv::Layer{});  // the layer as the CNN trains it, at batch 32
  conv::Layer layer;          // the same, at the batch checked and timed (--batch-size)
  layer.batch = run.options.batch_size;
  // Inputs N(0, 1), weights N(0, 2 / fan_in) as He's initialization draws
  // them for a ReLU network: outputs of order 1, as in a trained layer.
  const Tensor input = Tensor::randn(layer.input());
  const Tensor weight = Tensor::normal(layer.weight(), 0.0f,
                                       std::sqrt(2.0f / static_cast<float>(layer.gemm_k())));
  const Tensor bias = Tensor::normal({layer.out_channels}, 0.0f, 0.1f);
  const std::string im2col_svg = show_im2col(run, layer, input);
  const std::vector<double> differences = check_kernels(layer, input, weight, bias);
  const std::vector<Timing> timings = time_kernels(run, layer, input, weight, bias);
  profile_cnn(run, layer.batch);
  report(run, layer, differences, timings, im2col_svg);
}

int main(int argc, char** argv) {
  // One thread: every kernel here but ember's runs on one core, so per-core
  // rates compare (--threads 2 lets ember's kernels and SGEMM split the batch).
  tutorial::Options options{.batch_size = 32, .output = "06-convolution-output", .threads = 1};
  CLI::App app{"Chapter 6: convolution from scratch, and benchmarking kernels"};
  app.add_option("--repeats", repeats, "timed rounds of every kernel (medians are shown)")
      ->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--profile-steps", profile_steps, "training steps the profile times")
      ->check(CLI::PositiveNumber)->capture_default_str();
  app.final_callback([&] {
    if (!options.quick) return;  // --quick: a batch of 4, 3 runs, 3 profiled steps
    if (app.count("--batch-size") == 0) options.batch_size = 4;
    if (app.count("--repeats") == 0) repeats = 3;
    if (app.count("--profile-steps") == 0) profile_steps = 3;
  });
  return tutorial::run(app, options, argc, argv, chapter);
}
