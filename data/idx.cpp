// idx.cpp — see idx.hpp.
#include "idx.hpp"

#include <filesystem>
#include <iomanip>
#include <sstream>

#include "file_io.hpp"

namespace ember::data {
namespace {

uint32_t read_be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | static_cast<uint32_t>(p[3]);
}

std::string hex32(uint32_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << std::setw(8) << std::setfill('0') << v;
  return os.str();
}

// Checks the magic and header of an unsigned-byte IDX array with `ndims`
// dimensions and that the payload holds exactly what the header promises.
// Returns the sizes; the payload starts at 4 + 4 * ndims.
std::vector<int64_t> parse_header(std::span<const uint8_t> bytes, const std::string& name,
                                  uint32_t ndims, const char* what) {
  const uint32_t expected_magic = 0x0800u | ndims;
  EMBER_CHECK(bytes.size() >= 4, DataError, name, ": ", bytes.size(),
              " bytes is too short for an IDX header; expected magic number ",
              hex32(expected_magic), " (", what, ")");
  uint32_t magic = read_be32(bytes.data());
  EMBER_CHECK(magic == expected_magic, DataError, name, ": wrong magic number ", hex32(magic),
              ", expected ", hex32(expected_magic), " (IDX ", what, ")");
  size_t header = 4 + 4 * size_t{ndims};
  EMBER_CHECK(bytes.size() >= header, DataError, name,
              ": the IDX header is cut short: ", bytes.size(), " bytes, expected ", header);
  std::vector<int64_t> dims(ndims);
  uint64_t payload = 1;
  bool overflow = false;
  for (uint32_t d = 0; d < ndims; ++d) {
    uint32_t n = read_be32(bytes.data() + 4 + 4 * d);
    dims[d] = n;
    overflow = overflow || __builtin_mul_overflow(payload, uint64_t{n}, &payload);
  }
  uint64_t have = bytes.size() - header;
  EMBER_CHECK(!overflow && payload <= have, DataError, name, ": the header promises ", what,
              " of sizes ", dims, " (",
              overflow ? std::string("more than 2^64") : std::to_string(payload),
              " bytes) but only ", have, " bytes follow the ", header, "-byte header");
  // With N = 0 the product above is 0 whatever the other sizes say; still
  // refuse items (images) that are empty or too large to index, before a
  // tensor is shaped from them.
  for (uint32_t d = 1; d < ndims; ++d) {
    EMBER_CHECK(dims[d] > 0, DataError, name, ": the header promises ", what, " of sizes ", dims,
                ": an item with a zero size holds nothing, not a real dataset");
  }
  uint64_t item = 1;
  for (uint32_t d = 1; d < ndims; ++d) {
    overflow = overflow || __builtin_mul_overflow(item, static_cast<uint64_t>(dims[d]), &item);
  }
  EMBER_CHECK(!overflow && item <= (uint64_t{1} << 31), DataError, name, ": the header promises ",
              what, " of sizes ", dims, ": more than 2^31 bytes per item, not a real dataset");
  EMBER_CHECK(payload == have, DataError, name, ": ", have - payload,
              " unexpected bytes after the ", payload, " bytes the header promises (", what,
              " of sizes ", dims, ")");
  return dims;
}

// The first of root/<name>.gz, root/<name>, root/<raw_dir>/<name>[.gz] that exists.
std::string find_file(const std::string& root, const std::string& raw_dir, const std::string& name,
                      const char* dataset) {
  namespace fs = std::filesystem;
  for (const fs::path& dir : {fs::path(root), fs::path(root) / raw_dir / "raw"}) {
    for (const std::string& file : {name + ".gz", name}) {
      std::error_code ec;
      if (fs::is_regular_file(dir / file, ec)) return (dir / file).string();
    }
  }
  ::ember::detail::raise<DataError>(
      dataset, ": cannot find ", name, ".gz (or ", name, ") in ", root, " (nor in ",
      (fs::path(root) / raw_dir / "raw").string(),
      "); expected the four IDX files train-images-idx3-ubyte, "
      "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte");
}

// The images or labels file of a split. Both lookups check the images file
// first, so a missing directory is reported the same way whichever the
// compiler evaluates first.
std::string split_file(const std::string& root, const char* dataset, bool train, bool labels) {
  const std::string prefix = train ? "train-" : "t10k-";
  std::string images = find_file(root, dataset, prefix + "images-idx3-ubyte", dataset);
  return labels ? find_file(root, dataset, prefix + "labels-idx1-ubyte", dataset) : images;
}

// Labels must index `classes`; a byte 10..255 in an MNIST label file is corruption.
void check_labels(const IDXDataset& ds, int64_t num_classes, const std::string& labels_path) {
  const std::vector<int64_t>& labels = ds.labels();
  for (size_t i = 0; i < labels.size(); ++i) {
    EMBER_CHECK(labels[i] < num_classes, DataError, labels_path, ": label ", labels[i],
                " at index ", i, " is not a class index; expected 0..", num_classes - 1);
  }
}

TensorDataset load_pair(const std::string& images_path, const std::string& labels_path);

}  // namespace

Tensor parse_idx_images(std::span<const uint8_t> bytes, const std::string& name) {
  std::vector<int64_t> dims = parse_header(bytes, name, 3, "unsigned-byte images N x H x W");
  Tensor images = Tensor::empty({dims[0], 1, dims[1], dims[2]});
  const uint8_t* src = bytes.data() + 16;
  float* dst = images.data();
  const int64_t n = images.numel();
  // Division (not * (1/255)) so values equal PyTorch's ToTensor bit for bit.
  for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<float>(src[i]) / 255.0f;
  return images;
}

std::vector<int64_t> parse_idx_labels(std::span<const uint8_t> bytes, const std::string& name) {
  parse_header(bytes, name, 1, "unsigned-byte labels N");
  return std::vector<int64_t>(bytes.begin() + 8, bytes.end());
}

namespace {

TensorDataset load_pair(const std::string& images_path, const std::string& labels_path) {
  Tensor images = parse_idx_images(io::read_maybe_gzip(images_path), images_path);
  std::vector<int64_t> labels = parse_idx_labels(io::read_maybe_gzip(labels_path), labels_path);
  EMBER_CHECK(images.size(0) == static_cast<int64_t>(labels.size()), DataError, images_path,
              " holds ", images.size(0), " images but ", labels_path, " holds ", labels.size(),
              " labels; expected one label per image");
  return TensorDataset(std::move(images), std::move(labels));
}

}  // namespace

IDXDataset::IDXDataset(const std::string& images_path, const std::string& labels_path)
    : TensorDataset(load_pair(images_path, labels_path)) {}

MNIST::MNIST(const std::string& root, bool train)
    : IDXDataset(split_file(root, "MNIST", train, false), split_file(root, "MNIST", train, true)) {
  check_labels(*this, 10, split_file(root, "MNIST", train, true));
  classes_ = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
}

FashionMNIST::FashionMNIST(const std::string& root, bool train)
    : IDXDataset(split_file(root, "FashionMNIST", train, false),
                 split_file(root, "FashionMNIST", train, true)) {
  check_labels(*this, 10, split_file(root, "FashionMNIST", train, true));
  classes_ = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
              "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
}

}  // namespace ember::data
