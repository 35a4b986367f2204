// test_idx.cpp — IDX loading: values, labels, gzip and raw, and every broken file.
#include <doctest/doctest.h>

#include <filesystem>

#include "../../data/idx.hpp"
#include "../../data/subset.hpp"
#include "helpers.hpp"

using namespace ember;
using namespace ember::data::testing;

TEST_CASE("IDXDataset reads gzip and raw files into [N, 1, H, W] bytes / 255") {
  TempDir dir;
  write_bytes(dir / "img.gz", gzip(idx_images(3, 4, 5)));
  write_bytes(dir / "lab", idx_labels({7, 0, 255}));
  data::IDXDataset ds(dir / "img.gz", dir / "lab");
  REQUIRE(ds.size() == 3);
  CHECK(ds.image_shape() == Shape{1, 4, 5});
  CHECK(ds.images().shape() == Shape{3, 1, 4, 5});
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t y = 0; y < 4; ++y)
      for (int64_t x = 0; x < 5; ++x)
        CHECK(ds.get(i).image.at({0, y, x}) == static_cast<float>(idx_pixel(i, y, x)) / 255.0f);
  CHECK(ds.get(0).label == 7);
  CHECK(ds.label(2) == 255);
  // get() is a view of the dataset's one tensor, not a copy.
  CHECK(ds.get(1).image.shares_storage(ds.images()));
  CHECK_THROWS_WITH_AS(ds.get(3), contains("index 3 out of range for a dataset of 3"), IndexError);
}

TEST_CASE("IDX: a gzip of several members is read whole, as gunzip does") {
  TempDir dir;
  data::testing::Bytes raw = idx_labels({1, 2, 3, 4});
  data::testing::Bytes a = gzip(data::testing::Bytes(raw.begin(), raw.begin() + 6));
  data::testing::Bytes b = gzip(data::testing::Bytes(raw.begin() + 6, raw.end()));
  a.insert(a.end(), b.begin(), b.end());
  write_bytes(dir / "lab.gz", a);
  write_bytes(dir / "img", idx_images(4, 2, 2));
  data::IDXDataset ds(dir / "img", dir / "lab.gz");
  CHECK(data::labels_of(ds) == std::vector<int64_t>{1, 2, 3, 4});
}

TEST_CASE("IDX: each broken file is a DataError naming the file and what was expected") {
  TempDir dir;
  write_bytes(dir / "img", idx_images(3, 2, 2));
  write_bytes(dir / "lab", idx_labels({1, 2, 3}));

  SUBCASE("missing file") {
    CHECK_THROWS_WITH_AS(data::IDXDataset(dir / "nope", dir / "lab"),
                         contains("cannot open " + (dir / "nope") + ": No such file"), DataError);
  }
  SUBCASE("labels given as images: wrong magic") {
    CHECK_THROWS_WITH_AS(
        data::IDXDataset(dir / "lab", dir / "lab"),
        contains(dir / "lab" + ": wrong magic number 0x00000801, expected 0x00000803"), DataError);
  }
  SUBCASE("file shorter than a header") {
    write_bytes(dir / "short", {0, 0});
    CHECK_THROWS_WITH_AS(data::IDXDataset(dir / "short", dir / "lab"),
                         contains("2 bytes is too short for an IDX header"), DataError);
  }
  SUBCASE("header promises more images than the file holds") {
    data::testing::Bytes b = idx_images(3, 2, 2);
    b.resize(b.size() - 1);
    write_bytes(dir / "cut", b);
    CHECK_THROWS_WITH_AS(
        data::IDXDataset(dir / "cut", dir / "lab"),
        contains(dir / "cut" +
                 ": the header promises unsigned-byte images N x H x W of sizes [3, 2, 2] "
                 "(12 bytes) but only 11 bytes follow the 16-byte header"),
        DataError);
  }
  SUBCASE("a header whose sizes overflow 64 bits") {
    data::testing::Bytes b;
    for (uint32_t v : {0x00000803u, 0xffffffffu, 0xffffffffu, 0xffffffffu}) append_be32(b, v);
    write_bytes(dir / "huge", b);
    CHECK_THROWS_WITH_AS(data::IDXDataset(dir / "huge", dir / "lab"), contains("more than 2^64"),
                         DataError);
  }
  SUBCASE("zero images of an absurd size (found by fuzz_idx)") {
    data::testing::Bytes b;
    for (uint32_t v : {0x00000803u, 0u, 0xfe007011u, 0xfffb0d1fu}) append_be32(b, v);
    write_bytes(dir / "absurd", b);
    CHECK_THROWS_WITH_AS(data::IDXDataset(dir / "absurd", dir / "lab"),
                         contains("more than 2^31 bytes per item, not a real dataset"), DataError);
  }
  SUBCASE("images of width 0, with N x H past 2^63 (found by fuzz_idx)") {
    data::testing::Bytes b;
    for (uint32_t v : {0x00000803u, 0xfbffffffu, 0xffffffffu, 0u}) append_be32(b, v);
    write_bytes(dir / "flat", b);
    CHECK_THROWS_WITH_AS(data::IDXDataset(dir / "flat", dir / "lab"),
                         contains(dir / "flat" +
                                  ": the header promises unsigned-byte images N x H x W of sizes "
                                  "[4227858431, 4294967295, 0]: an item with a zero size holds "
                                  "nothing, not a real dataset"),
                         DataError);
  }
  SUBCASE("bytes after the promised data") {
    data::testing::Bytes b = idx_labels({1, 2, 3});
    b.push_back(9);
    write_bytes(dir / "long", b);
    CHECK_THROWS_WITH_AS(data::IDXDataset(dir / "img", dir / "long"),
                         contains("1 unexpected bytes after the 3 bytes the header promises"),
                         DataError);
  }
  SUBCASE("truncated gzip stream") {
    data::testing::Bytes gz = gzip(idx_images(3, 2, 2));
    gz.resize(gz.size() / 2);
    write_bytes(dir / "img.gz", gz);
    CHECK_THROWS_WITH_AS(data::IDXDataset(dir / "img.gz", dir / "lab"),
                         contains(dir / "img.gz" + ": truncated gzip stream"), DataError);
  }
  SUBCASE("gzip stream cut just before its trailer") {
    data::testing::Bytes gz = gzip(idx_images(3, 2, 2));
    gz.resize(gz.size() - 4);
    write_bytes(dir / "img.gz", gz);
    CHECK_THROWS_WITH_AS(data::IDXDataset(dir / "img.gz", dir / "lab"),
                         contains("truncated gzip stream"), DataError);
  }
  SUBCASE("corrupt gzip data") {
    data::testing::Bytes gz = gzip(idx_images(3, 2, 2));
    for (size_t i = 10; i < gz.size() - 8; ++i) gz[i] ^= 0x5a;
    write_bytes(dir / "img.gz", gz);
    CHECK_THROWS_WITH_AS(data::IDXDataset(dir / "img.gz", dir / "lab"),
                         contains(dir / "img.gz" + ": corrupt gzip stream"), DataError);
  }
  SUBCASE("garbage after the gzip stream") {
    data::testing::Bytes gz = gzip(idx_images(3, 2, 2));
    gz.push_back('x');
    write_bytes(dir / "img.gz", gz);
    CHECK_THROWS_WITH_AS(data::IDXDataset(dir / "img.gz", dir / "lab"),
                         contains("1 unexpected bytes after the end of the gzip stream"),
                         DataError);
  }
  SUBCASE("image and label counts differ") {
    write_bytes(dir / "lab2", idx_labels({1, 2}));
    CHECK_THROWS_WITH_AS(
        data::IDXDataset(dir / "img", dir / "lab2"),
        contains(dir / "img" + " holds 3 images but " + dir / "lab2" + " holds 2 labels"),
        DataError);
  }
  SUBCASE("a directory where a file should be") {
    CHECK_THROWS_WITH_AS(data::IDXDataset(dir.path.string(), dir / "lab"),
                         contains("it is a directory"), DataError);
  }
}

TEST_CASE("MNIST finds the four files (gz or raw, flat or torchvision's raw/) and checks labels") {
  TempDir dir;
  write_bytes(dir / "train-images-idx3-ubyte.gz", gzip(idx_images(4, 28, 28)));
  write_bytes(dir / "train-labels-idx1-ubyte", idx_labels({5, 0, 4, 1}));
  write_bytes(dir / "MNIST/raw/t10k-images-idx3-ubyte", idx_images(2, 28, 28));
  write_bytes(dir / "MNIST/raw/t10k-labels-idx1-ubyte.gz", gzip(idx_labels({7, 12})));
  data::MNIST train(dir.path.string(), true);
  CHECK(train.size() == 4);
  CHECK(train.classes().size() == 10);
  CHECK(train.label(0) == 5);
  CHECK_THROWS_WITH_AS(data::MNIST(dir.path.string(), false),
                       contains("label 12 at index 1 is not a class index; expected 0..9"),
                       DataError);
  TempDir empty;
  CHECK_THROWS_WITH_AS(data::FashionMNIST(empty.path.string(), true),
                       contains("FashionMNIST: cannot find train-images-idx3-ubyte.gz (or "
                                "train-images-idx3-ubyte) in " +
                                empty.path.string()),
                       DataError);
}

TEST_CASE("FashionMNIST from the Debian package, and its five-class grouping") {
  if (!std::filesystem::exists(data::kFashionMNISTRoot)) {
    MESSAGE("skipped: dataset-fashion-mnist is not installed");
    return;
  }
  data::FashionMNIST test(data::kFashionMNISTRoot, false);
  REQUIRE(test.size() == 10000);
  CHECK(test.image_shape() == Shape{1, 28, 28});
  CHECK(test.classes()[9] == "Ankle boot");
  // Test image 0 is an ankle boot (label 9); its bytes at row 20, columns
  // 10..15 are 126, 127, 146, 185, 195, 209 (read with python3's gzip module).
  CHECK(test.label(0) == 9);
  const std::vector<float> bytes = {126, 127, 146, 185, 195, 209};
  for (int64_t c = 0; c < 6; ++c) CHECK(test.get(0).image.at({0, 20, 10 + c}) == bytes[c] / 255.0f);
  std::vector<int64_t> counts(10, 0);
  for (int64_t l : data::labels_of(test)) counts[static_cast<size_t>(l)]++;
  CHECK(counts == std::vector<int64_t>(10, 1000));

  data::RemapLabels five(test, data::fashion_mnist_five_classes());
  std::vector<int64_t> five_counts(5, 0);
  for (int64_t l : data::labels_of(five)) five_counts[static_cast<size_t>(l)]++;
  CHECK(five_counts == std::vector<int64_t>{2000, 1000, 2000, 2000, 3000});
  CHECK(five.classes().size() == 5);
}
