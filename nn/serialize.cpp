// serialize.cpp — .safetensors and .npy reading and writing, with atomic
// writes (tensor/atomic_file.hpp) and reads that validate the whole file
// before trusting it.
#include "serialize.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../tensor/atomic_file.hpp"

namespace ember::nn {

static_assert(std::endian::native == std::endian::little,
              "serialize.cpp writes the host's float bytes: both formats are little-endian");

namespace {

constexpr uint64_t kMaxHeader = 100'000'000;  // the safetensors library's own limit

std::string read_file(const std::string& path, const char* op) {
  std::ifstream in(path, std::ios::binary);
  EMBER_CHECK(in.good(), DataError, op, ": cannot open '", path, "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EMBER_CHECK(!in.bad(), DataError, op, ": error while reading '", path, "'");
  return bytes;
}

bool write_tensor_bytes(std::FILE* f, const Tensor& t) {
  Tensor c = t.contiguous();
  size_t n = static_cast<size_t>(c.numel());
  return n == 0 || std::fwrite(c.data(), sizeof(float), n, f) == n;
}

}  // namespace

// ---- .safetensors -----------------------------------------------------------

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const Metadata& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    EMBER_CHECK(t.defined(), ValueError, "save_safetensors: tensor '", name, "' is undefined");
    EMBER_CHECK(!name.empty() && name != "__metadata__", ValueError,
                "save_safetensors: invalid tensor name '", name, "'");
    EMBER_CHECK(!header.contains(name), ValueError, "save_safetensors: tensor '", name,
                "' appears twice");
    uint64_t bytes = uint64_t(t.numel()) * sizeof(float);
    header[name] = {{"dtype", "F32"}, {"shape", t.shape()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
  uint64_t n = json.size();
  unsigned char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
  auto fill = [&](std::FILE* f) {
    if (std::fwrite(len, 1, 8, f) != 8 || std::fwrite(json.data(), 1, n, f) != n) return false;
    for (const auto& [name, t] : tensors)
      if (!write_tensor_bytes(f, t)) return false;
    return true;
  };
  write_file_atomically(path, fill, "save_safetensors");
}

NamedTensors load_safetensors(const std::string& path, Metadata* metadata) {
  const std::string bytes = read_file(path, "load_safetensors");
  const std::string where = "load_safetensors: '" + path + "': ";
  EMBER_CHECK(bytes.size() >= 8, DataError, where, "file is ", bytes.size(),
              " bytes, too short for the 8-byte header length (truncated or not safetensors)");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(static_cast<unsigned char>(bytes[size_t(i)])) << (8 * i);
  EMBER_CHECK(n <= kMaxHeader, DataError, where, "header length ", n,
              " is implausible (not a safetensors file?)");
  EMBER_CHECK(n <= bytes.size() - 8, DataError, where, "header length ", n, " exceeds the ",
              bytes.size() - 8, " bytes after it (truncated file)");

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + std::ptrdiff_t(n));
  } catch (const nlohmann::json::exception& e) {
    detail::raise<DataError>(where, "header is not valid JSON: ", e.what());
  }
  EMBER_CHECK(header.is_object(), DataError, where, "header is not a JSON object");

  struct Entry {
    std::string name;
    Shape shape;
    uint64_t begin, end;
  };
  std::vector<Entry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      EMBER_CHECK(info.is_object(), DataError, where, "__metadata__ is not an object");
      for (const auto& [key, value] : info.items()) {
        EMBER_CHECK(value.is_string(), DataError, where, "__metadata__ value of '", key,
                    "' is not a string");
        if (metadata) (*metadata)[key] = value.get<std::string>();
      }
      continue;
    }
    const std::string what = where + "tensor '" + name + "': ";
    EMBER_CHECK(info.is_object() && info.contains("dtype") && info.contains("shape") &&
                    info.contains("data_offsets"),
                DataError, what, "needs dtype, shape and data_offsets");
    EMBER_CHECK(info["dtype"].is_string(), DataError, what, "dtype is not a string");
    const std::string dtype = info["dtype"].get<std::string>();
    EMBER_CHECK(dtype == "F32", DataError, what, "dtype ", dtype,
                " is not supported (ember stores float32, \"F32\")");
    Entry e{name, {}, 0, 0};
    EMBER_CHECK(info["shape"].is_array(), DataError, what, "shape is not an array");
    for (const auto& d : info["shape"]) {
      EMBER_CHECK(d.is_number_unsigned(), DataError, what, "shape holds ", d.dump(),
                  ", not a size");
      e.shape.push_back(d.get<int64_t>());
    }
    const auto& off = info["data_offsets"];
    EMBER_CHECK(off.is_array() && off.size() == 2 && off[0].is_number_unsigned() &&
                    off[1].is_number_unsigned(),
                DataError, what, "data_offsets must be [begin, end], got ", off.dump());
    e.begin = off[0].get<uint64_t>();
    e.end = off[1].get<uint64_t>();
    uint64_t need = uint64_t(shape_numel(e.shape)) * sizeof(float);
    EMBER_CHECK(e.end >= e.begin && e.end - e.begin == need, DataError, what, "data_offsets [",
                e.begin, ", ", e.end, "] do not hold the ", need, " bytes of shape ", e.shape);
    entries.push_back(std::move(e));
  }

  // The byte ranges must tile the data section exactly, as the safetensors
  // library requires: no gaps, no overlaps, nothing missing at the end.
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  const uint64_t data_size = bytes.size() - 8 - n;
  uint64_t expected = 0;
  for (const Entry& e : entries) {
    EMBER_CHECK(e.begin == expected, DataError, where, "tensor '", e.name, "' starts at byte ",
                e.begin, " but the previous one ends at ", expected, " (overlap or gap)");
    expected = e.end;
  }
  EMBER_CHECK(expected <= data_size, DataError, where, "the tensors need ", expected,
              " bytes of data but the file holds ", data_size, " (truncated file)");
  EMBER_CHECK(expected == data_size, DataError, where, data_size - expected,
              " unexpected bytes after the last tensor");

  NamedTensors out;
  const char* data = bytes.data() + 8 + n;
  for (const Entry& e : entries) {
    Tensor t = Tensor::empty(e.shape);
    if (e.end > e.begin) std::memcpy(t.data(), data + e.begin, e.end - e.begin);
    out.emplace_back(e.name, t);
  }
  return out;
}

void save(const Module& module, const std::string& path) {
  save_safetensors(path, module.state_dict(), {{"format", "pt"}, {"producer", "ember"}});
}

void load(Module& module, const std::string& path) {
  NamedTensors state = load_safetensors(path);
  // load_state_dict checks every name and shape before copying anything;
  // its message gains the file name here.
  try {
    module.load_state_dict(state);
  } catch (const ShapeError& e) {
    throw ShapeError("load '" + path + "': " + e.what());
  } catch (const ValueError& e) {
    throw ValueError("load '" + path + "': " + e.what());
  }
}

// ---- .npy -------------------------------------------------------------------

void save_npy(const std::string& path, const Tensor& tensor) {
  EMBER_CHECK(tensor.defined(), ValueError, "save_npy: undefined tensor");
  // Python tuple syntax: "()", "(5,)", "(2, 3)".
  std::string shape = "(";
  for (size_t i = 0; i < tensor.shape().size(); ++i)
    shape += (i ? ", " : "") + std::to_string(tensor.shape()[i]);
  shape += tensor.dim() == 1 ? ",)" : ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  // Magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  EMBER_CHECK(header.size() <= 65535, ValueError, "save_npy: header too long for version 1.0");
  std::string prefix = "\x93NUMPY";
  prefix += '\x01';
  prefix += '\x00';
  prefix += static_cast<char>(header.size() & 0xff);
  prefix += static_cast<char>(header.size() >> 8);
  auto fill = [&](std::FILE* f) {
    return std::fwrite(prefix.data(), 1, prefix.size(), f) == prefix.size() &&
           std::fwrite(header.data(), 1, header.size(), f) == header.size() &&
           write_tensor_bytes(f, tensor);
  };
  write_file_atomically(path, fill, "save_npy");
}

Tensor load_npy(const std::string& path) {
  const std::string bytes = read_file(path, "load_npy");
  const std::string where = "load_npy: '" + path + "': ";
  EMBER_CHECK(bytes.size() >= 10 && bytes.compare(0, 6, "\x93NUMPY") == 0, DataError, where,
              "not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(bytes[6]);
  EMBER_CHECK(major == 1 || major == 2, DataError, where, "unsupported .npy version ", major);
  size_t start = major == 1 ? 10 : 12;
  EMBER_CHECK(bytes.size() >= start, DataError, where, "truncated header");
  size_t len = 0;
  for (size_t i = 8; i < start; ++i) len |= size_t(static_cast<unsigned char>(bytes[i])) << (8 * (i - 8));
  EMBER_CHECK(start + len <= bytes.size(), DataError, where, "header length ", len,
              " exceeds the file (truncated)");
  const std::string header = bytes.substr(start, len);
  EMBER_CHECK(header.find("'descr': '<f4'") != std::string::npos, DataError, where,
              "dtype is not '<f4' (float32): header ", header);
  EMBER_CHECK(header.find("'fortran_order': False") != std::string::npos, DataError, where,
              "Fortran-ordered arrays are not supported");
  size_t open = header.find("'shape': (");
  size_t close = header.find(')', open);
  EMBER_CHECK(open != std::string::npos && close != std::string::npos, DataError, where,
              "no shape in header ", header);
  Shape shape;
  std::string dims = header.substr(open + 10, close - open - 10);
  size_t pos = 0;
  while (pos < dims.size()) {
    size_t comma = dims.find(',', pos);
    std::string item = dims.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (item.find_first_not_of(' ') != std::string::npos) shape.push_back(std::stoll(item));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  const size_t need = size_t(shape_numel(shape)) * sizeof(float);
  EMBER_CHECK(bytes.size() - start - len == need, DataError, where, "data is ",
              bytes.size() - start - len, " bytes but shape ", shape, " needs ", need);
  Tensor t = Tensor::empty(shape);
  if (need) std::memcpy(t.data(), bytes.data() + start + len, need);
  return t;
}

}  // namespace ember::nn
