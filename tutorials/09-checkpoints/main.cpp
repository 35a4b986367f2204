// Chapter 9: saving, resuming and leaving ember. Weights saved and loaded
// (.safetensors, .npy); a training run stopped half-way and resumed from its
// training checkpoint, ending bit for bit where the uninterrupted run ends,
// and what goes wrong when a part of the checkpoint is left out; what the
// checkpoint holds; the files ember refuses; the weights read back in numpy
// (and PyTorch) by read_weights.py, beside this file.
//
// What it prints, in order (the README beside this file explains each part):
//   1. weights: a model trained --epochs epochs, saved as model.safetensors and
//      as .npy files, loaded into a fresh model that computes the same logits
//   2. resume: the same run stopped after half the epochs and resumed from
//      checkpoint.safetensors: losses and weights against the straight run;
//      then resumes that leave out one part; resume-loss.svg
//   3. inside, metadata: the training checkpoint's tensors and metadata
//   4. refused: a damaged checkpoint, another model, a weights-only file
//   5. numpy: images, labels and ember's logits exported as .npy; read_weights.py
//      run on them when python3 has numpy
//   6. report: results.md, results.csv (the resumes against the straight run:
//      weights hash, last loss, max difference) and report.html (that table and
//      resume-loss.svg)
//
//   build/tutorials/09-checkpoints/09-checkpoints     # writes 09-checkpoints-output/, seconds
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "ember.hpp"
#include "harness/harness.hpp"

using namespace ember;
namespace fs = std::filesystem;

// ---- small helpers ------------------------------------------------------------------------

using tutorial::fixed;       // "%.*f" as a string (harness.hpp)
using tutorial::scientific;  // "%.1e" as a string

// FNV-1a over every byte of every tensor of the state_dict: equal weights,
// equal hash; one bit apart, another hash.
std::string weights_hash(const nn::Module& model) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const auto& [name, t] : model.state_dict()) {
    const Tensor c = t.contiguous();
    const auto* bytes = reinterpret_cast<const unsigned char*>(c.data());
    for (size_t i = 0; i < static_cast<size_t>(c.numel()) * sizeof(float); ++i)
      h = (h ^ bytes[i]) * 0x100000001b3ULL;
  }
  std::ostringstream s;
  s << std::hex << std::setw(16) << std::setfill('0') << h;
  return s.str();
}

// The largest |a - b| over every weight of two models of the same shape.
double max_difference(const nn::Module& a, const nn::Module& b) {
  const nn::NamedTensors x = a.state_dict(), y = b.state_dict();
  double worst = 0.0;
  for (size_t i = 0; i < x.size(); ++i)
    worst = std::max(worst, static_cast<double>((x[i].second - y[i].second).abs().max().item()));
  return worst;
}

std::vector<int64_t> first(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), int64_t{0});
  return v;
}

// ---- 1. weights: save, load, the same logits ------------------------------------------------

// x [N, 1, 28, 28] -> flatten [N, 784] -> dense `hidden`, relu -> dropout 0.2
// -> dense 10 (logits). Its state_dict: 1.weight [hidden, 784], 1.bias,
// 3.weight [10, hidden], 3.bias (0 and 2, flatten and dropout, hold none).
std::shared_ptr<nn::Sequential> mlp(int64_t hidden = 128) {
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Flatten>(),
      std::make_shared<nn::Linear>(784, hidden, nn::Activation::ReLU),
      std::make_shared<nn::Dropout>(0.2f),  // draws its masks from the global generator
      std::make_shared<nn::Linear>(hidden, 10)});
}

// What every process of the run builds from the same options: the data, the
// loaders (the shuffling seed fixed), a model initialized from `seed`, Adam.
struct Setup {
  data::DatasetHandle train_set, val_set;
  int64_t epochs, batch_size;
};

// Keeps every batch's training loss (for the chart of section 2).
class StepLosses : public train::Callback {
 public:
  std::vector<double> values;
  void on_batch_end(int64_t, double loss, train::TrainingContext&) override {
    values.push_back(loss);
  }
};

struct Process {
  std::shared_ptr<nn::Sequential> model;
  std::unique_ptr<optim::Adam> opt;
  data::DataLoader train, val;
  std::shared_ptr<StepLosses> losses = std::make_shared<StepLosses>();

  Process(const Setup& s, uint64_t seed)
      : train(s.train_set, s.batch_size, /*shuffle=*/true, /*seed=*/42), val(s.val_set, 500) {
    manual_seed(seed);
    model = mlp();
    opt = std::make_unique<optim::Adam>(model->parameters());
  }

  train::History fit(int64_t epochs, train::FitOptions o = {}) {
    o.epochs = epochs;
    o.validation = &val;
    o.verbose = train::Verbosity::Silent;
    o.callbacks.push_back(losses);
    return train::fit(*model, *opt, train, o);
  }
};

std::string header_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char length[8];
  in.read(reinterpret_cast<char*>(length), 8);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(length[i]) << (8 * i);
  std::string json(n, ' ');
  in.read(json.data(), static_cast<std::streamsize>(n));
  while (!json.empty() && json.back() == ' ') json.pop_back();  // padding to 8 bytes
  // One entry per line, for reading.
  std::string out;
  for (char c : json) {
    out += c;
    if (c == '{' && out.size() == 1) out += "\n  ";
  }
  for (size_t at = 0; (at = out.find("},\"", at)) != std::string::npos; at += 4)
    out.replace(at, 3, "},\n  \"");
  return "8-byte length " + std::to_string(n) + ", then the JSON header:\n" + out;
}

void weights(const Setup& s, Process& straight, tutorial::Run& run) {
  std::cout << "== weights: a model trained " << s.epochs << " epochs, saved and loaded ==\n";
  const std::string path = run.file("model.safetensors");
  nn::save(*straight.model, path);
  std::cout << "model.safetensors: " << fs::file_size(path) << " bytes: "
            << header_of(path) << "\n";

  // A fresh model, other random weights, loads the file: the same logits, to the bit.
  Process fresh(s, 7);
  nn::load(*fresh.model, path);
  const Tensor a = train::predict(*straight.model, straight.val);
  const Tensor b = train::predict(*fresh.model, fresh.val);
  std::cout << "a fresh model loads it: max |logits - original logits| over "
            << a.size(0) << " images = " << (a - b).abs().max().item() << ", accuracy "
            << fixed(train::evaluate(*fresh.model, fresh.val).accuracy, 4) << " (original "
            << fixed(train::evaluate(*straight.model, straight.val).accuracy, 4) << ")\n";

  // One .npy per tensor: numpy's own format, np.load reads it.
  for (const auto& [name, t] : straight.model->state_dict()) {
    const std::string npy = run.file(name + ".npy");
    nn::save_npy(npy, t);
    const bool same = (nn::load_npy(npy) - t).abs().max().item() == 0.0f;
    std::cout << name << ".npy: " << fs::file_size(npy) << " bytes, "
              << ember::shape_str(t.shape()) << ", reads back " << (same ? "equal" : "DIFFERENT")
              << "\n";
  }
  std::cout << "\n";
}

// ---- 2. resume: stopped half-way, resumed, compared -----------------------------------------

// A run's losses, `kWindow` batches to a point; NaN (no point) for the
// `skipped` batches before it started.
constexpr size_t kWindow = 4;
std::vector<double> windows(const std::vector<double>& losses, size_t skipped) {
  std::vector<double> out(skipped / kWindow, std::nan(""));
  for (size_t i = 0; i + kWindow <= losses.size(); i += kWindow)
    out.push_back(std::accumulate(losses.begin() + static_cast<std::ptrdiff_t>(i),
                                  losses.begin() + static_cast<std::ptrdiff_t>(i + kWindow), 0.0) /
                  kWindow);
  return out;
}

// The report's table of resumes: each run's weights against the straight run's.
train::ResultsTable resume_table() {
  return train::ResultsTable({"run", "weights hash", "same hash as straight",
                              {"last epoch's loss", 9}, {"max |weights - straight|", -1}});
}

// Prints a resume's row, and adds it to `table`.
void compare_row(const std::string& what, const train::History& h, int64_t from,
                 const nn::Module& model, const Process& straight, train::ResultsTable& table) {
  std::cout << std::left << std::setw(34) << what << std::right;
  for (size_t e = static_cast<size_t>(from); e < h.loss.size(); ++e)
    std::cout << std::setw(13) << fixed(h.loss[e], 9);
  const double d = max_difference(model, *straight.model);
  std::cout << "   " << (d == 0.0 ? "0" : scientific(d)) << "\n";
  const std::string hash = weights_hash(model);
  table.add_row({what, hash, hash == weights_hash(*straight.model) ? "yes" : "no", h.loss.back(), d});
}

// What the resume section made, for the report.
struct Resumes {
  train::ResultsTable table;
  std::string chart;  // resume-loss.svg
};

Resumes resume(const Setup& s, Process& straight, const train::History& whole,
               tutorial::Run& run) {
  const int64_t half = s.epochs / 2;
  std::cout << "== resume: " << s.epochs << " epochs straight, against " << half
            << " + a resume from the checkpoint + " << s.epochs - half << " ==\n";
  const std::string checkpoint = run.file("checkpoint.safetensors");

  // The first process: the same run (same seeds), stopped after `half` epochs.
  // fit() wrote the training checkpoint after every epoch; the weights alone
  // are saved too, for the last comparison below.
  Process stopped(s, run.options.seed);
  stopped.fit(half, {.checkpoint = checkpoint});
  const std::string weights_only = run.file("weights-epoch" + std::to_string(half) + ".safetensors");
  nn::save(*stopped.model, weights_only);

  // A new process: another seed (so other initial weights), fresh objects;
  // fit() loads the checkpoint and goes on with epoch half + 1.
  Process resumed(s, run.options.seed + 1);
  const train::History h =
      resumed.fit(s.epochs, {.checkpoint = checkpoint, .resume_from = checkpoint});

  std::cout << "epoch   straight loss   resumed loss   val accuracy (both)\n";
  for (size_t e = 0; e < h.loss.size(); ++e)
    std::cout << std::setw(5) << e + 1 << std::setw(16) << fixed(whole.loss[e], 9)
              << std::setw(15) << fixed(h.loss[e], 9) << "   " << fixed(whole.val_accuracy[e], 4)
              << " " << fixed(h.val_accuracy[e], 4)
              << (static_cast<int64_t>(e) < half ? "  (from the checkpoint's history)" : "")
              << "\n";
  const bool same = h.loss == whole.loss && h.val_loss == whole.val_loss;
  std::cout << "every figure equal: " << (same ? "yes" : "NO") << "\n"
            << "weights hash: straight " << weights_hash(*straight.model) << ", resumed "
            << weights_hash(*resumed.model) << "; max |difference| "
            << max_difference(*straight.model, *resumed.model) << "\n\n";

  // Now leave one part out each time: each run starts from the same epoch-`half`
  // weights, and ends elsewhere.
  std::cout << "a resume that gets back less than everything (loss per resumed epoch, then\n"
            << "max |weights - straight run's| at the end):\n";
  Resumes made{resume_table(), {}};
  made.table.add_row({"straight (never stopped)", weights_hash(*straight.model), "yes",
                      whole.loss.back(), 0.0});
  compare_row("everything (resume_from)", h, half, *resumed.model, straight, made.table);
  const size_t skipped = static_cast<size_t>(half * straight.train.size());
  std::vector<train::Series> curves = {
      {"straight", windows(straight.losses->values, 0), "#1f77b4"},
      {"resumed: everything (on the straight line)", windows(resumed.losses->values, skipped),
       "#ff7f0e"}};
  {
    // The checkpoint loaded into a scratch Adam, then trained with a new one:
    // m = v = 0 and t = 1 again.
    Process p(s, run.options.seed + 2);
    optim::Adam scratch(p.model->parameters());
    train::load_training_checkpoint(checkpoint, {*p.model, scratch, &p.train});
    const train::History r = p.fit(s.epochs, {.initial_epoch = half});
    compare_row("all but the optimizer's state", r, 0, *p.model, straight, made.table);
    curves.push_back({"all but the optimizer's state", windows(p.losses->values, skipped), "#2ca02c"});
  }
  {
    // No loader given: its generator is not restored, so epoch half + 1
    // visits the examples in epoch 1's order.
    Process p(s, run.options.seed + 3);
    train::load_training_checkpoint(checkpoint, {*p.model, *p.opt});
    const train::History r = p.fit(s.epochs, {.initial_epoch = half});
    compare_row("all but the loader's order", r, 0, *p.model, straight, made.table);
    curves.push_back({"all but the loader's order", windows(p.losses->values, skipped), "#d62728"});
  }
  {
    // What ModelCheckpoint saved: the weights alone.
    Process p(s, run.options.seed + 4);
    nn::load(*p.model, weights_only);
    const train::History r = p.fit(s.epochs, {.initial_epoch = half});
    compare_row("the weights only (nn::load)", r, 0, *p.model, straight, made.table);
    curves.push_back({"the weights only", windows(p.losses->values, skipped), "#9467bd"});
  }
  made.chart =
      train::line_chart_svg(curves, {.title = "Training loss, straight and resumed after epoch " +
                                                  std::to_string(half),
                                     .x_label = "training progress (a point is " +
                                                std::to_string(kWindow) + " batches)",
                                     .y_label = "training loss (mean of the batches)",
                                     .width = 720,
                                     .height = 440});
  write_file_atomically(run.file("resume-loss.svg"), made.chart);
  std::cout << "\n";
  return made;
}

// ---- 3. inside a training checkpoint -----------------------------------------------------

void inside(const std::string& checkpoint) {
  nn::Metadata metadata;
  const nn::NamedTensors tensors = nn::load_safetensors(checkpoint, &metadata);
  std::cout << "== inside: checkpoint.safetensors, its tensors ==\n";
  for (const auto& [name, t] : tensors)
    std::cout << std::left << std::setw(16) << name << std::right << ember::shape_str(t.shape())
              << "\n";
  std::cout << "\n== metadata: checkpoint.safetensors, its metadata ==\n";
  for (const auto& [key, value] : metadata) {
    // Wall-clock times, and the checksum that covers them, change run to run.
    const std::string shown = key == "history.seconds" ? "(each epoch's wall-clock seconds)"
                              : key == "checksum"      ? "crc32 (8 hex digits)"
                              : value.size() > 60      ? value.substr(0, 57) + "..."
                                                       : value;
    std::cout << std::left << std::setw(22) << key << std::right << shown << "\n";
  }
  std::cout << "\n";
}

// ---- 4. what ember refuses ---------------------------------------------------------------

void refused(const Setup& s, const std::string& checkpoint, tutorial::Run& run) {
  std::cout << "== refused: files that do not fit are refused, saying why ==\n";
  Process p(s, run.options.seed + 5);
  auto attempt = [&](const std::string& what, const std::function<void()>& load) {
    try {
      load();
      std::cout << what << ": loaded (unexpected)\n";
    } catch (const std::exception& e) {
      std::cout << what << ":\n  " << e.what() << "\n";
    }
  };
  // One byte of Adam's state changed, as a disk or a copy might.
  std::string bytes;
  {
    std::ifstream in(checkpoint, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  bytes[bytes.size() - 100] ^= 0x01;
  const std::string damaged = run.file("damaged.safetensors");
  write_file_atomically(damaged, bytes);
  attempt("one bit flipped", [&] {
    train::load_training_checkpoint(damaged, {*p.model, *p.opt, &p.train});
  });
  auto wider = mlp(256);
  optim::Adam wider_opt(wider->parameters());
  attempt("another model (256 hidden units)", [&] {
    train::load_training_checkpoint(checkpoint, {*wider, wider_opt, &p.train});
  });
  attempt("a weights file as a checkpoint", [&] {
    train::load_training_checkpoint(run.options.output + "/model.safetensors",
                                    {*p.model, *p.opt, &p.train});
  });
  attempt("a checkpoint as a weights file", [&] { nn::load(*p.model, checkpoint); });
  std::cout << "\n";
}

// ---- 5. leaving ember: numpy reads the files --------------------------------------------------

// read_weights.py sits beside this program in the build (meson copies it there).
fs::path script_path() {
  return fs::read_symlink("/proc/self/exe").parent_path() / "read_weights.py";
}

// Whether /usr/bin/python3 can import numpy (Debian: apt-get install python3-numpy).
bool have_numpy() {
  return std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") == 0;
}

void numpy(const Setup& s, Process& straight, tutorial::Run& run) {
  std::cout << "== numpy: the files read back outside ember ==\n";
  // Eight validation images, their labels, and ember's logits for them (eval mode).
  data::DataLoader first_eight(s.val_set, 8);
  const data::Batch batch = *first_eight.begin();
  nn::save_npy(run.file("images.npy"), batch.images);  // [8, 1, 28, 28]
  nn::save_npy(run.file("labels.npy"), batch.labels);  // [8]
  nn::save_npy(run.file("logits.npy"), train::predict(*straight.model, batch.images));  // [8, 10]
  std::cout << "wrote images.npy [8, 1, 28, 28], labels.npy [8], logits.npy [8, 10]\n";
  const fs::path script = script_path();
  if (!have_numpy() || !fs::exists(script)) {
    std::cout << "python3 with numpy not found (Debian: apt-get install python3-numpy): "
              << "read_weights.py not run\n";
    return;
  }
  std::cout << "read_weights.py " << run.options.output << ":\n" << std::flush;
  const std::string command =
      "/usr/bin/python3 '" + script.string() + "' '" + run.options.output + "'";
  if (std::system(command.c_str()) != 0) throw DataError("read_weights.py failed: " + command);
}

// ---- 6. the report -------------------------------------------------------------------------

// results.md, results.csv: the resumes against the straight run; report.html:
// that table and the resume chart.
void report(tutorial::Run& run, const Setup& s, const Resumes& resumes) {
  run.write_results(resumes.table);
  train::Report page("Chapter 9: saving, resuming and leaving ember");
  page.paragraph("An MLP trained with Adam for " + std::to_string(s.epochs) + " epochs on " +
                 std::to_string(s.train_set->size()) + " Fashion-MNIST images, straight through, and "
                 "again stopped after epoch " + std::to_string(s.epochs / 2) + " and resumed in a "
                 "new process from its training checkpoint (weights, the optimizer's state, the "
                 "loader's order, the history): the resumed run ends on the straight run's "
                 "weights to the bit. Each resume that leaves one part out (the optimizer's "
                 "state, the loader's order, all but the weights) ends elsewhere.")
      .table(resumes.table, "the straight run and four resumes from the same checkpoint")
      .chart(resumes.chart);
  run.write_report(page);
}

// ---- the chapter ---------------------------------------------------------------------------

void chapter(tutorial::Run& run) {
  const tutorial::Options& o = run.options;
  // Small already: --quick does the same work (what checkpoints teach needs
  // no big run).
  const int64_t train_size = 1000, val_size = 500;
  const Setup s{data::Subset(data::FashionMNIST(o.data, true), first(train_size)),
                data::Subset(data::FashionMNIST(o.data, false), first(val_size)), o.epochs,
                o.batch_size};
  std::cout << "(" << train_size << " training images, " << val_size
            << " validation images of Fashion-MNIST; Adam, batch " << s.batch_size << ", "
            << get_num_threads() << " threads)\n\n";
  Process straight(s, o.seed);
  const train::History whole = straight.fit(s.epochs);
  weights(s, straight, run);
  const Resumes resumes = resume(s, straight, whole, run);
  inside(o.output + "/checkpoint.safetensors");
  refused(s, o.output + "/checkpoint.safetensors", run);
  numpy(s, straight, run);
  report(run, s, resumes);
}

int main(int argc, char** argv) {
  tutorial::Options options{.epochs = 4, .output = "09-checkpoints-output", .threads = 2};
  CLI::App app{"Chapter 9: saving, resuming and leaving ember"};
  return tutorial::run(app, options, argc, argv, chapter);
}
