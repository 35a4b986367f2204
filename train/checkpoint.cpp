// checkpoint.cpp — the training checkpoint (layout in checkpoint.hpp): the
// parts encoded as .safetensors tensors and metadata strings, a checksum over
// all of it, and a load that decodes and checks everything before it
// changes anything.
#include "checkpoint.hpp"

#include <zlib.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "../nn/serialize.hpp"
#include "../tensor/error.hpp"
#include "../tensor/runtime/parallel.hpp"
#include "../tensor/random.hpp"

namespace ember::train {

namespace {

// The value of the "ember" metadata key: what the file is, and the layout's
// version (a later layout reads this one or refuses it by name).
constexpr const char* kFormat = "training checkpoint 1";

// ---- numbers as text that reads back bit for bit ---------------------------------------

// The shortest text that reads back as the same value: a float as a float
// (0.001f is "0.001"), a double as a double, "inf" and "nan" included.
template <class T>
std::string number(T v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

template <class T>
T parse(std::string_view text, const std::string& what) {
  T v{};
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  EMBER_CHECK(r.ec == std::errc() && r.ptr == text.data() + text.size(), DataError, what,
              " is '", std::string(text), "', not a number");
  return v;
}

template <class T>
std::string join(const std::vector<T>& values) {
  std::string out;
  for (const T& v : values) {
    if (!out.empty()) out += ',';
    out += number(v);
  }
  return out;
}

template <class T>
std::vector<T> split(const std::string& text, const std::string& what) {
  std::vector<T> out;
  if (text.empty()) return out;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    const std::string_view item(text.data() + start,
                                (comma == std::string::npos ? text.size() : comma) - start);
    out.push_back(parse<T>(item, what));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

// "s0 s1 s2 s3 spare has_spare", the words in hex, the spare normal's bits.
std::string generator_text(const GeneratorState& g) {
  char buf[160];
  uint32_t spare_bits;
  std::memcpy(&spare_bits, &g.spare_normal, sizeof spare_bits);
  std::snprintf(buf, sizeof buf, "%016llx %016llx %016llx %016llx %08x %d",
                static_cast<unsigned long long>(g.s[0]), static_cast<unsigned long long>(g.s[1]),
                static_cast<unsigned long long>(g.s[2]), static_cast<unsigned long long>(g.s[3]),
                spare_bits, g.has_spare ? 1 : 0);
  return buf;
}

GeneratorState parse_generator(const std::string& text, const std::string& what) {
  GeneratorState g;
  unsigned long long s[4];
  unsigned spare_bits;
  int has_spare, end = 0;
  const int n = std::sscanf(text.c_str(), "%16llx %16llx %16llx %16llx %8x %d%n", &s[0], &s[1],
                            &s[2], &s[3], &spare_bits, &has_spare, &end);
  EMBER_CHECK(n == 6 && static_cast<size_t>(end) == text.size() && (has_spare == 0 || has_spare == 1),
              DataError, what, " is '", text, "', not a generator's state");
  EMBER_CHECK(s[0] | s[1] | s[2] | s[3], DataError, what, " is all zero, not a generator's state");
  for (size_t i = 0; i < 4; ++i) g.s[i] = s[i];
  const uint32_t bits = spare_bits;
  std::memcpy(&g.spare_normal, &bits, sizeof bits);
  g.has_spare = has_spare == 1;
  return g;
}

// ---- the checksum ---------------------------------------------------------------------

// CRC-32 (zlib's) over every metadata entry but the checksum itself, in key
// order, then every tensor's name, shape and bytes in file order: a flipped
// bit anywhere in what the load uses changes it.
std::string checksum(const nn::Metadata& metadata, const nn::NamedTensors& tensors) {
  uLong crc = crc32_z(0L, Z_NULL, 0);
  auto add = [&](const void* p, size_t n) {
    crc = crc32_z(crc, static_cast<const Bytef*>(p), n);
  };
  auto add_text = [&](const std::string& s) { add(s.c_str(), s.size() + 1); };  // with its NUL
  for (const auto& [key, value] : metadata)
    if (key != "checksum") add_text(key), add_text(value);
  for (const auto& [name, t] : tensors) {
    add_text(name);
    add_text(shape_str(t.shape()));
    const Tensor c = t.contiguous();
    if (c.numel() > 0) add(c.data(), static_cast<size_t>(c.numel()) * sizeof(float));
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08lx", static_cast<unsigned long>(crc & 0xffffffffUL));
  return std::string("crc32 ") + buf;
}

// ---- the history's columns ------------------------------------------------------------

const std::vector<std::pair<const char*, std::vector<double> History::*>>& history_columns() {
  static const std::vector<std::pair<const char*, std::vector<double> History::*>> columns = {
      {"loss", &History::loss},         {"accuracy", &History::accuracy},
      {"val_loss", &History::val_loss}, {"val_accuracy", &History::val_accuracy},
      {"lr", &History::lr},             {"seconds", &History::seconds}};
  return columns;
}

// ---- a whole checkpoint, decoded -----------------------------------------------------------

struct Decoded {
  int64_t epoch = 0;
  int threads = 0;
  History history;
  nn::NamedTensors model;
  optim::OptimizerState optimizer;
  GeneratorState global;
  std::optional<GeneratorState> loader;
  std::map<size_t, CallbackState> callbacks;  // by position in TrainingRun::callbacks
};

const std::string& required(const nn::Metadata& metadata, const std::string& key) {
  const auto it = metadata.find(key);
  EMBER_CHECK(it != metadata.end(), DataError, "its metadata have no '", key, "'");
  return it->second;
}

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// Reads the file and decodes every part, checking the format and the
// checksum; nothing outside is touched.
Decoded decode(const std::string& path) {
  nn::Metadata metadata;
  nn::NamedTensors tensors = nn::load_safetensors(path, &metadata);  // names the file itself
  const auto format = metadata.find("ember");
  EMBER_CHECK(format != metadata.end(), DataError,
              "not a training checkpoint (its metadata have no 'ember' entry; a weights file "
              "written by nn::save loads with nn::load)");
  EMBER_CHECK(format->second == kFormat, DataError, "its format is '", format->second,
              "'; this ember reads '", kFormat, "'");
  const std::string& stored = required(metadata, "checksum");
  const std::string computed = checksum(metadata, tensors);
  EMBER_CHECK(stored == computed, DataError,
              "the checksum does not match its content: the file is damaged");

  Decoded d;
  d.epoch = parse<int64_t>(required(metadata, "epoch"), "epoch");
  EMBER_CHECK(d.epoch >= 0, DataError, "epoch is ", d.epoch);
  d.threads = parse<int>(required(metadata, "threads"), "threads");
  for (const auto& [name, column] : history_columns())
    d.history.*column = split<double>(required(metadata, std::string("history.") + name),
                                      std::string("history.") + name);
  const size_t rows = d.history.loss.size();
  for (const auto& [name, column] : history_columns()) {
    const size_t n = (d.history.*column).size();
    const bool validation = std::string_view(name).starts_with("val_");
    EMBER_CHECK(n == rows || (validation && n == 0), DataError, "history.", name, " has ", n,
                " values, history.loss ", rows);
  }

  d.optimizer.optimizer = required(metadata, "optimizer");
  d.optimizer.iterations = parse<int64_t>(required(metadata, "optimizer.iterations"),
                                          "optimizer.iterations");
  d.optimizer.lrs = split<float>(required(metadata, "optimizer.lrs"), "optimizer.lrs");
  d.optimizer.group_sizes =
      split<int64_t>(required(metadata, "optimizer.group_sizes"), "optimizer.group_sizes");
  d.global = parse_generator(required(metadata, "rng.global"), "rng.global");
  if (metadata.count("rng.loader"))
    d.loader = parse_generator(metadata.at("rng.loader"), "rng.loader");

  // callback.<i> is a kind; callback.<i>.<name> a value (metadata) or a tensor.
  auto callback_index = [](const std::string& key, size_t& dot) -> size_t {
    const size_t start = std::string_view("callback.").size();
    dot = key.find('.', start);
    return parse<size_t>(
        std::string_view(key).substr(start, (dot == std::string::npos ? key.size() : dot) - start),
        "the callback number in '" + key + "'");
  };
  for (const auto& [key, value] : metadata) {
    if (!starts_with(key, "callback.")) continue;
    size_t dot;
    const size_t i = callback_index(key, dot);
    if (dot == std::string::npos) d.callbacks[i].kind = value;
    else d.callbacks[i].values[key.substr(dot + 1)] = parse<double>(value, key);
  }
  for (auto& [name, t] : tensors) {
    if (starts_with(name, "model.")) {
      d.model.emplace_back(name.substr(6), t);
    } else if (starts_with(name, "optimizer.")) {
      d.optimizer.slots.emplace_back(name.substr(10), t);
    } else if (starts_with(name, "callback.")) {
      size_t dot;
      const size_t i = callback_index(name, dot);
      EMBER_CHECK(dot != std::string::npos, DataError, "tensor '", name, "' has no name");
      d.callbacks[i].tensors.emplace_back(name.substr(dot + 1), t);
    } else {
      detail::raise<DataError>("tensor '", name,
                               "' is not a model., optimizer. or callback. tensor");
    }
  }
  for (const auto& [i, state] : d.callbacks)
    EMBER_CHECK(!state.kind.empty(), DataError, "callback ", i, " has values but no kind");
  return d;
}

// The run's callbacks that keep a state, by position.
std::map<size_t, CallbackState> callback_states(const TrainingRun& run) {
  std::map<size_t, CallbackState> out;
  for (size_t i = 0; i < run.callbacks.size(); ++i) {
    EMBER_CHECK(run.callbacks[i] != nullptr, ValueError, "callback ", i, " is null");
    if (std::optional<CallbackState> s = run.callbacks[i]->state()) out.emplace(i, std::move(*s));
  }
  return out;
}

ResumePoint load(const std::string& path, const TrainingRun& run) {
  Decoded d = decode(path);

  // Every check before any change.
  run.model.check_state_dict(d.model);
  run.optimizer.check_state_dict(d.optimizer);
  EMBER_CHECK(!run.loader || d.loader, ValueError,
              "it holds no shuffling state (it was saved without a loader), so the loader's "
              "next epochs cannot follow the saved run's");
  const std::map<size_t, CallbackState> mine = callback_states(run);
  for (const auto& [i, state] : d.callbacks) {
    const auto it = mine.find(i);
    EMBER_CHECK(it != mine.end(), ValueError, "callback ", i, " is a ", state.kind,
                " in the checkpoint, but ",
                i < run.callbacks.size() ? "this run's keeps no state" : "this run has no such callback");
    EMBER_CHECK(it->second.kind == state.kind, ValueError, "callback ", i, " is a ", state.kind,
                " in the checkpoint, a ", it->second.kind, " in this run");
  }
  for (const auto& [i, state] : mine)
    EMBER_CHECK(d.callbacks.count(i), ValueError, "callback ", i, " (a ", state.kind,
                ") has no state in the checkpoint");

  // The callbacks check their own values before taking them; then the
  // parts that cannot fail any more.
  for (const auto& [i, state] : d.callbacks) run.callbacks[i]->load_state(state);
  run.model.load_state_dict(d.model);
  run.optimizer.load_state_dict(d.optimizer);
  default_generator().set_state(d.global);
  if (run.loader) run.loader->shuffle_generator().set_state(*d.loader);
  return {d.epoch, std::move(d.history), d.threads};
}

// Rethrows `e` as the same type with `where` in front, unless it names the file already.
template <class Error>
[[noreturn]] void rethrow_naming(const Error& e, const std::string& path, const std::string& where) {
  const std::string what = e.what();
  if (what.find("'" + path + "'") != std::string::npos) throw e;
  throw Error(where + what);
}

}  // namespace

void save_training_checkpoint(const std::string& path, const TrainingRun& run, int64_t epoch,
                              const History& history) {
  EMBER_CHECK(epoch >= 0, ValueError, "save_training_checkpoint: epoch = ", epoch,
              " is invalid (expected >= 0)");
  nn::Metadata metadata{{"ember", kFormat},
                        {"format", "pt"},  // what Python's safetensors expects of PyTorch files
                        {"epoch", std::to_string(epoch)},
                        {"threads", std::to_string(get_num_threads())}};
  for (const auto& [name, column] : history_columns())
    metadata[std::string("history.") + name] = join(history.*column);
  nn::NamedTensors tensors;
  for (const auto& [name, t] : run.model.state_dict()) tensors.emplace_back("model." + name, t);

  const optim::OptimizerState opt = run.optimizer.state_dict();
  metadata["optimizer"] = opt.optimizer;
  metadata["optimizer.iterations"] = std::to_string(opt.iterations);
  metadata["optimizer.lrs"] = join(opt.lrs);
  metadata["optimizer.group_sizes"] = join(opt.group_sizes);
  for (const auto& [slot, t] : opt.slots) tensors.emplace_back("optimizer." + slot, t);

  metadata["rng.global"] = generator_text(default_generator().state());
  if (run.loader) metadata["rng.loader"] = generator_text(run.loader->shuffle_generator().state());

  for (const auto& [i, state] : callback_states(run)) {
    const std::string prefix = "callback." + std::to_string(i);
    metadata[prefix] = state.kind;
    for (const auto& [name, value] : state.values) metadata[prefix + "." + name] = number(value);
    for (const auto& [name, t] : state.tensors) tensors.emplace_back(prefix + "." + name, t);
  }
  metadata["checksum"] = checksum(metadata, tensors);
  nn::save_safetensors(path, tensors, metadata);
}

ResumePoint load_training_checkpoint(const std::string& path, const TrainingRun& run) {
  const std::string where = "load_training_checkpoint: '" + path + "': ";
  try {
    return load(path, run);
  } catch (const DataError& e) {
    rethrow_naming(e, path, where);
  } catch (const ShapeError& e) {
    rethrow_naming(e, path, where);
  } catch (const ValueError& e) {
    rethrow_naming(e, path, where);
  }
}

}  // namespace ember::train
