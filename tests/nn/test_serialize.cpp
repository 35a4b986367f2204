// test_serialize.cpp — checkpoints: bit-identical round trips, the
// .safetensors header, refusal of corrupt/truncated/mismatched files with
// messages naming the problem, nothing half-loaded, atomic writes, .npy,
// and (when /usr/bin/python3 has numpy) an independent reader.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "autograd/grad_mode.hpp"
#include "nn/serialize.hpp"
#include "nn/zoo.hpp"
#include "tensor/random.hpp"

using namespace ember;
using namespace ember::nn;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("ember_nn_serialize_" + std::to_string(::getpid()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::vector<float> predict(Module& m, const Tensor& x) {
  NoGradGuard no_grad;
  m.eval();
  return m.forward(x).to_vector();
}

}  // namespace

TEST_CASE("a saved checkpoint reloaded into a fresh model gives bit-identical predictions") {
  TempDir dir;
  manual_seed(1);
  auto model = zoo::cnn_4conv_bn(5);
  // Move the BatchNorm running statistics away from their initial values so
  // the buffers matter too.
  model->train();
  {
    NoGradGuard no_grad;
    model->forward(Tensor::randn({8, 1, 28, 28}));
  }
  Tensor x = Tensor::randn({4, 1, 28, 28});
  std::vector<float> before = predict(*model, x);
  save(*model, dir.file("model.safetensors"));

  manual_seed(2);
  auto fresh = zoo::cnn_4conv_bn(5);
  CHECK(predict(*fresh, x) != before);
  load(*fresh, dir.file("model.safetensors"));
  CHECK(predict(*fresh, x) == before);  // exact equality, float for float
  // Every tensor, buffers included, came back.
  auto a = model->state_dict(), b = fresh->state_dict();
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].first == b[i].first);
    CHECK(a[i].second.to_vector() == b[i].second.to_vector());
  }
}

TEST_CASE("the .safetensors header is valid JSON with the standard fields") {
  TempDir dir;
  Tensor w = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = Tensor::from_vector({-1, 0.5f}, {2});
  save_safetensors(dir.file("t.safetensors"), {{"layer.weight", w}, {"layer.bias", b}},
                   {{"note", "hello"}});
  std::string bytes = slurp(dir.file("t.safetensors"));
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(static_cast<unsigned char>(bytes[size_t(i)])) << (8 * i);
  CHECK(n % 8 == 0);
  CHECK(bytes.size() == 8 + n + (6 + 2) * 4);
  auto header = nlohmann::json::parse(bytes.substr(8, n));
  CHECK(header["layer.weight"]["dtype"] == "F32");
  CHECK(header["layer.weight"]["shape"] == nlohmann::json({2, 3}));
  CHECK(header["layer.weight"]["data_offsets"] == nlohmann::json({0, 24}));
  CHECK(header["layer.bias"]["data_offsets"] == nlohmann::json({24, 32}));
  CHECK(header["__metadata__"]["note"] == "hello");
  float first;
  std::memcpy(&first, bytes.data() + 8 + n, 4);
  CHECK(first == 1.0f);

  Metadata meta;
  NamedTensors back = load_safetensors(dir.file("t.safetensors"), &meta);
  REQUIRE(back.size() == 2);
  CHECK(back[0].first == "layer.weight");  // file order
  CHECK(back[0].second.shape() == Shape{2, 3});
  CHECK(back[0].second.to_vector() == w.to_vector());
  CHECK(back[1].second.to_vector() == b.to_vector());
  CHECK(meta.at("note") == "hello");
}

TEST_CASE("corrupt and truncated files are refused with a clear message") {
  TempDir dir;
  const std::string good = dir.file("good.safetensors");
  save_safetensors(good, {{"w", Tensor::ones({4, 4})}, {"b", Tensor::zeros({4})}});
  const std::string bytes = slurp(good);
  const std::string bad = dir.file("bad.safetensors");

  spit(bad, bytes.substr(0, bytes.size() - 5));
  CHECK_THROWS_WITH_AS(load_safetensors(bad), doctest::Contains("truncated"), DataError);
  spit(bad, bytes.substr(0, 5));
  CHECK_THROWS_WITH_AS(load_safetensors(bad), doctest::Contains("too short"), DataError);
  spit(bad, bytes.substr(0, 20));
  CHECK_THROWS_WITH_AS(load_safetensors(bad), doctest::Contains("exceeds"), DataError);
  spit(bad, bytes + "xx");
  CHECK_THROWS_WITH_AS(load_safetensors(bad), doctest::Contains("2 unexpected bytes"), DataError);

  std::string broken = bytes;
  broken[8] = '[';  // the header no longer parses
  spit(bad, broken);
  CHECK_THROWS_WITH_AS(load_safetensors(bad), doctest::Contains("not valid JSON"), DataError);

  std::string f64 = bytes;
  f64.replace(f64.find("F32"), 3, "F64");
  spit(bad, f64);
  CHECK_THROWS_WITH_AS(load_safetensors(bad), doctest::Contains("dtype F64"), DataError);

  std::string wrong_shape = bytes;
  wrong_shape.replace(wrong_shape.find("[4,4]"), 5, "[4,5]");
  spit(bad, wrong_shape);
  CHECK_THROWS_WITH_AS(load_safetensors(bad), doctest::Contains("tensor 'w'"), DataError);

  CHECK_THROWS_WITH_AS(load_safetensors(dir.file("missing.safetensors")),
                       doctest::Contains("cannot open"), DataError);
}

TEST_CASE("a mismatched checkpoint changes nothing and names the tensor") {
  TempDir dir;
  manual_seed(3);
  auto model = zoo::lenet5(5);
  const auto original = model->state_dict();
  std::vector<std::vector<float>> values;
  for (const auto& [name, t] : original) values.push_back(t.to_vector());
  auto unchanged = [&] {
    auto now = model->state_dict();
    for (size_t i = 0; i < now.size(); ++i)
      if (now[i].second.to_vector() != values[i]) return false;
    return true;
  };

  // A state whose first tensors are fine (zeros) but one has the wrong shape:
  // the good ones must not be copied either.
  NamedTensors state;
  for (const auto& [name, t] : original) state.emplace_back(name, Tensor::zeros(t.shape()));
  NamedTensors wrong = state;
  wrong.back().second = Tensor::zeros({7});
  save_safetensors(dir.file("wrong.safetensors"), wrong);
  const std::string shape_msg = "'" + wrong.back().first + "' has shape [7]";
  CHECK_THROWS_WITH_AS(load(*model, dir.file("wrong.safetensors")),
                       doctest::Contains(shape_msg.c_str()), ShapeError);
  CHECK(unchanged());

  NamedTensors missing(state.begin(), state.end() - 1);
  save_safetensors(dir.file("missing.safetensors"), missing);
  const std::string missing_msg = "missing tensor(s) '" + state.back().first + "'";
  CHECK_THROWS_WITH_AS(load(*model, dir.file("missing.safetensors")),
                       doctest::Contains(missing_msg.c_str()), ValueError);
  CHECK(unchanged());

  NamedTensors extra = state;
  extra.emplace_back("head.weight", Tensor::zeros({2}));
  save_safetensors(dir.file("extra.safetensors"), extra);
  CHECK_THROWS_WITH_AS(load(*model, dir.file("extra.safetensors")),
                       doctest::Contains("unexpected tensor(s) 'head.weight'"), ValueError);
  CHECK(unchanged());

  save_safetensors(dir.file("ok.safetensors"), state);
  load(*model, dir.file("ok.safetensors"));
  CHECK(model->state_dict()[0].second.to_vector() == std::vector<float>(values[0].size(), 0.0f));
}

TEST_CASE("saving is atomic: it replaces the file whole and leaves no temporary behind") {
  TempDir dir;
  const std::string path = dir.file("ckpt.safetensors");
  save_safetensors(path, {{"a", Tensor::ones({3})}});
  save_safetensors(path, {{"a", Tensor::full({5}, 2.0f)}});
  CHECK(load_safetensors(path)[0].second.to_vector() == std::vector<float>(5, 2.0f));
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    (void)entry;
    ++files;
  }
  CHECK(files == 1);
  CHECK_THROWS_WITH_AS(save_safetensors(dir.file("no/such/dir/x.safetensors"), {{"a", Tensor::ones({1})}}),
                       doctest::Contains("temporary file"), DataError);
  CHECK_THROWS_WITH_AS(save_safetensors(path, {{"a", Tensor::ones({1})}, {"a", Tensor::ones({1})}}),
                       doctest::Contains("'a' appears twice"), ValueError);
}

TEST_CASE(".npy files round-trip with numpy's header") {
  TempDir dir;
  Tensor t = Tensor::arange(24).view({2, 3, 4}).permute({2, 0, 1});  // non-contiguous
  save_npy(dir.file("t.npy"), t);
  std::string bytes = slurp(dir.file("t.npy"));
  CHECK(bytes.compare(0, 6, "\x93NUMPY") == 0);
  CHECK(bytes[6] == 1);
  CHECK(bytes[7] == 0);
  size_t header_len = size_t(static_cast<unsigned char>(bytes[8])) | size_t(static_cast<unsigned char>(bytes[9])) << 8;
  CHECK((10 + header_len) % 64 == 0);
  CHECK(bytes.find("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2, 3), }") == 10);
  Tensor back = load_npy(dir.file("t.npy"));
  CHECK(back.shape() == Shape{4, 2, 3});
  CHECK(back.to_vector() == t.to_vector());

  save_npy(dir.file("v.npy"), Tensor::from_vector({1, 2, 3}, {3}));
  CHECK(slurp(dir.file("v.npy")).find("'shape': (3,), }") != std::string::npos);
  spit(dir.file("cut.npy"), bytes.substr(0, bytes.size() - 4));
  CHECK_THROWS_WITH_AS(load_npy(dir.file("cut.npy")), doctest::Contains("needs 96"), DataError);
}

TEST_CASE("python3 + numpy read ember's .npy and .safetensors files") {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
    MESSAGE("skipped: /usr/bin/python3 with numpy not available");
    return;
  }
  TempDir dir;
  Tensor t = Tensor::from_vector({0.5f, -1.25f, 3.0f, 1e-3f, 7.0f, -2.0f}, {3, 2});
  save_npy(dir.file("t.npy"), t);
  save_safetensors(dir.file("t.safetensors"), {{"x", t}, {"y", Tensor::full({2, 2}, 0.25f)}});
  // An independent reader: numpy for .npy, the safetensors layout by hand
  // (json + np.frombuffer) for .safetensors. Prints 1 when both match.
  const std::string script = dir.file("check.py");
  spit(script,
       "import json, struct, sys, numpy as np\n"
       "a = np.load(sys.argv[1])\n"
       "ok = a.dtype == np.float32 and a.shape == (3, 2) and np.array_equal(a, np.array("
       "[[0.5, -1.25], [3.0, 1e-3], [7.0, -2.0]], dtype=np.float32))\n"
       "raw = open(sys.argv[2], 'rb').read()\n"
       "n = struct.unpack('<Q', raw[:8])[0]\n"
       "h = json.loads(raw[8:8 + n])\n"
       "data = raw[8 + n:]\n"
       "def get(k):\n"
       "    b, e = h[k]['data_offsets']\n"
       "    return np.frombuffer(data[b:e], dtype='<f4').reshape(h[k]['shape'])\n"
       "ok = ok and np.array_equal(get('x'), a) and np.all(get('y') == 0.25)\n"
       "ok = ok and h['x']['dtype'] == 'F32'\n"
       "print(1 if ok else 0)\n");
  const std::string cmd = "/usr/bin/python3 " + script + " " + dir.file("t.npy") + " " +
                          dir.file("t.safetensors");
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[16] = {0};
  CHECK(std::fgets(buf, sizeof buf, pipe) != nullptr);
  pclose(pipe);
  CHECK(std::string(buf) == "1\n");
}
