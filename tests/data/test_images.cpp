// test_images.cpp — ImageFolder (PNG and BMP through stb_image), the PNG
// writer, the image grid and the predictions CSV.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "../../data/image_folder.hpp"
#include "../../data/image_io.hpp"
#include "../../data/write.hpp"
#include "helpers.hpp"

using namespace ember;
using namespace ember::data::testing;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A 3x2 RGB image whose pixel (y, x) is 40y + 10x + 80c in channel c, as [C, H, W] / 255.
Tensor rgb_pattern() {
  Tensor t = Tensor::empty({3, 2, 3});
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t y = 0; y < 2; ++y)
      for (int64_t x = 0; x < 3; ++x)
        t.at({c, y, x}) = static_cast<float>(40 * y + 10 * x + 80 * c) / 255.0f;
  return t;
}

}  // namespace

TEST_CASE("write_png then read_image round-trips bytes exactly") {
  TempDir dir;
  Tensor img = rgb_pattern();
  data::write_png(dir / "a.png", img);
  Tensor back = data::read_image(dir / "a.png");
  CHECK(back.shape() == Shape{3, 2, 3});
  CHECK(back.to_vector() == img.to_vector());
  // Gray from RGB is stb's integer luma, (77 R + 150 G + 29 B) >> 8; at
  // (1, 2): R 60, G 140, B 220 -> 32000 >> 8 = 125.
  Tensor gray = data::read_image(dir / "a.png", 1);
  CHECK(gray.shape() == Shape{1, 2, 3});
  CHECK(gray.at({0, 1, 2}) == 125.0f / 255.0f);
}

TEST_CASE("ImageFolder: classes from sorted folder names, files sorted, PNG and BMP, resize") {
  TempDir dir;
  Tensor img = rgb_pattern();
  std::filesystem::create_directories(dir.path / "root/dog");
  data::write_png(dir / "root/dog/b.png", img);
  std::vector<uint8_t> rgb(2 * 3 * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>(i * 10);
  write_bytes(dir / "root/cat/z.BMP", bmp(3, 2, rgb));
  write_bytes(dir / "root/cat/a.bmp", bmp(3, 2, rgb));
  write_text(dir / "root/cat/notes.txt", "not an image");

  data::ImageFolder ds(dir / "root");
  CHECK(ds.classes() == std::vector<std::string>{"cat", "dog"});
  REQUIRE(ds.size() == 3);
  CHECK(ds.files()[0] == dir / "root/cat/a.bmp");
  CHECK(ds.files()[1] == dir / "root/cat/z.BMP");
  CHECK(data::labels_of(ds) == std::vector<int64_t>{0, 0, 1});
  CHECK(ds.image_shape() == Shape{3, 2, 3});
  // BMP pixel (y=1, x=2) channel 1 is byte (1*3 + 2)*3 + 1 = 16 -> 160.
  CHECK(ds.get(0).image.at({1, 1, 2}) == 160.0f / 255.0f);
  CHECK(ds.get(2).image.to_vector() == img.to_vector());

  data::ImageFolder small(dir / "root", {.channels = 1, .height = 4, .width = 6});
  CHECK(small.image_shape() == Shape{1, 4, 6});
  CHECK(small.get(2).image.shape() == Shape{1, 4, 6});
}

TEST_CASE("ImageFolder: unreadable images and bad folders are DataErrors naming the path") {
  TempDir dir;
  CHECK_THROWS_WITH_AS(
      data::ImageFolder(dir / "nope"),
      contains("ImageFolder: " + dir / "nope" + " is not a directory (it does not exist)"),
      DataError);
  std::filesystem::create_directories(dir.path / "empty");
  CHECK_THROWS_WITH_AS(data::ImageFolder(dir / "empty"), contains("has no class folders"),
                       DataError);
  for (const char* sub : {"root/a", "root/c"}) std::filesystem::create_directories(dir.path / sub);
  data::write_png(dir / "root/a/ok.png", rgb_pattern());
  write_text(dir / "root/b/broken.png", "\x89PNG but not really");
  data::testing::Bytes cut(bmp(3, 2, std::vector<uint8_t>(18, 7)));
  cut.resize(40);
  write_bytes(dir / "root/b/cut.bmp", cut);
  data::write_png(dir / "root/c/big.png", Tensor::zeros({3, 5, 5}));
  data::ImageFolder ds(dir / "root");
  // JPEG is compiled out (stb 2.27 reads out of bounds on corrupt JPEGs, found
  // by fuzz_image); any file starting with FF, as stb would read it, is refused.
  write_bytes(dir / "root/c/photo.jpg", {0xFF, 0xD8, 0xFF, 0xE0});
  CHECK_THROWS_WITH_AS(
      data::read_image(dir / "root/c/photo.jpg"),
      contains(dir / "root/c/photo.jpg" + ": JPEG images are not supported by this build"),
      DataError);
  CHECK_THROWS_WITH_AS(ds.get(1), contains(dir / "root/b/broken.png" + ": unreadable image ("),
                       DataError);
  CHECK_THROWS_WITH_AS(ds.get(2),
                       contains(dir / "root/b/cut.bmp" +
                                ": the BMP header promises 3x2 pixels at 24 bits (78 bytes) but "
                                "the file holds 40 bytes"),
                       DataError);
  // A 54-byte BMP header claiming 2307x16386 pixels (found by fuzz_image: stb
  // would fill 113 MB with zeros).
  data::testing::Bytes huge = bmp(1, 1, {1, 2, 3});
  huge.resize(54);
  huge[18] = 0x03, huge[19] = 0x09, huge[22] = 0x02, huge[23] = 0x40;  // w 2307, h 16386
  CHECK_THROWS_WITH_AS(
      data::decode_image(huge, "huge.bmp"),
      doctest::Contains("huge.bmp: the BMP header promises 2307x16386 pixels at 24 "
                        "bits (113456718 bytes) but the file holds 54 bytes"),
      DataError);
  // A 29-byte BMP, shorter than its own 12-byte core header, claiming 7424x6912
  // 1-bit pixels (fuzz_image: stb would decode 154 MB of zeros).
  const data::testing::Bytes core = {'B', 'M',  0x4e, 0, 0,    0, 0, 0,    0x36, 0,
                                     0,   0,    0,    0, 0x0c, 0, 0, 0,    0,    0x1d,
                                     0,   0x1b, 1,    0, 1,    0, 0, 0xff, 0xff};
  CHECK_THROWS_WITH_AS(
      data::decode_image(core, "core.bmp"),
      doctest::Contains("core.bmp: the BMP header promises 7424x6912 pixels at 1 bits"), DataError);
  // A PNG whose first chunk declares 1 GiB (found by fuzz_image: stb 2.27 would allocate it).
  data::testing::Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n',
                              0x40, 0,   0,   0,   'I',  'H',  'D',  'R'};
  CHECK_THROWS_WITH_AS(
      data::decode_image(png, "big.png"),
      doctest::Contains("big.png: the PNG chunk 'IHDR' at byte 8 declares 1073741824 "
                        "data bytes but only 8 bytes remain in the file"),
      DataError);
  CHECK_THROWS_WITH_AS(
      ds.get(3), contains(dir / "root/c/big.png" + ": image is [3, 5, 5], expected [3, 2, 3]"),
      DataError);
}

TEST_CASE("save_image_grid lays tiles row-major with padding, scale and captions") {
  TempDir dir;
  Tensor images = Tensor::zeros({3, 1, 2, 2});
  images.at({1, 0, 0, 1}) = 1.0f;
  data::save_image_grid(dir / "g.png", images, {.columns = 2, .padding = 1, .scale = 2});
  Tensor grid = data::read_image(dir / "g.png");
  // 2 columns of 4-px tiles + 3 paddings = 11 wide; 2 rows = 11 high; gray PNG.
  REQUIRE(grid.shape() == Shape{1, 11, 11});
  CHECK(grid.at({0, 0, 0}) == 1.0f);  // background is white
  CHECK(grid.at({0, 1, 1}) == 0.0f);  // tile 0
  // tile 1 starts at x = 1 + 4 + 1 = 6; its pixel (0, 1) covers x 8..9, y 1..2.
  CHECK(grid.at({0, 1, 8}) == 1.0f);
  CHECK(grid.at({0, 2, 9}) == 1.0f);
  CHECK(grid.at({0, 1, 7}) == 0.0f);
  CHECK(grid.at({0, 6, 1}) == 0.0f);  // tile 2, second row
  CHECK(grid.at({0, 6, 6}) == 1.0f);  // no tile 3: background

  data::save_image_grid(
      dir / "labeled.png", images,
      {.columns = 3, .scale = 10, .labels = {"a", "b", "c"}, .list_labels = true});
  Tensor labeled = data::read_image(dir / "labeled.png");
  CHECK(labeled.size(1) == 2 + 20 + 12 + 2);  // caption strip of 12 px under the tiles
  float ink = 0;
  for (int64_t y = 22; y < 34; ++y)
    for (int64_t x = 2; x < 22; ++x) ink += 1.0f - labeled.at({0, y, x});
  CHECK(ink > 3.0f);  // the letter "a" was drawn
  CHECK(read_text(dir / "labeled.txt") == "index,row,column,label\n0,0,0,a\n1,0,1,b\n2,0,2,c\n");

  CHECK_THROWS_WITH_AS(data::save_image_grid(dir / "x.png", Tensor::zeros({2, 2, 2, 2})),
                       doctest::Contains("expected images [N > 0, 1 or 3, H, W], got [2, 2, 2, 2]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(data::save_image_grid(dir / "no/such/dir/x.png", images),
                       contains("cannot write " + dir / "no/such/dir/x.png"), DataError);
}

TEST_CASE("image_grid: a long caption wraps and stays inside its tile") {
  // Two 28x28 tiles at scale 2 (56 px), side by side with 2 px of padding:
  // "Ankle boot" is wider than a tile, so it wraps onto two lines.
  Tensor images = Tensor::zeros({2, 1, 28, 28});
  const Tensor grid = data::image_grid(images, {.labels = {"Ankle boot", ""}});
  REQUIRE(grid.shape() == Shape{1, 2 + 56 + 12 + 11 + 2, 2 + 56 + 2 + 56 + 2});
  auto ink = [&](int64_t x_begin, int64_t x_end) {  // dark pixels in the caption strip
    float sum = 0.0f;
    for (int64_t y = 2 + 56; y < 2 + 56 + 23; ++y)
      for (int64_t x = x_begin; x < x_end; ++x) sum += 1.0f - grid.at({0, y, x});
    return sum;
  };
  CHECK(ink(2, 2 + 56) > 10.0f);         // the caption is drawn in its tile...
  CHECK(ink(2 + 56, grid.size(2)) == 0.0f);  // ...and nothing right of it
  CHECK(ink(0, 3) == 0.0f);               // nor on the tile's edge pixel
  float second_line = 0.0f;
  for (int64_t y = 2 + 56 + 12; y < 2 + 56 + 23; ++y)
    for (int64_t x = 2; x < 58; ++x) second_line += 1.0f - grid.at({0, y, x});
  CHECK(second_line > 3.0f);  // "boot"

  // Tiny tiles: words break inside, at most max_caption_lines lines, still inside.
  const Tensor tiny = data::image_grid(Tensor::zeros({2, 1, 8, 8}),
                                       {.scale = 1, .labels = {"Ankle boot", "x"},
                                        .max_caption_lines = 2});
  CHECK(tiny.size(1) == 2 + 8 + 12 + 11 + 2);
  for (int64_t y = 10; y < tiny.size(1); ++y) {
    CHECK(tiny.at({0, y, 10}) == 1.0f);  // the padding column between the tiles
    CHECK(tiny.at({0, y, 11}) == 1.0f);  // the second tile's edge pixel
  }
}

TEST_CASE("image_grid: captions blue when right, red when wrong; a colormap for gray images") {
  Tensor images = Tensor::full({2, 1, 10, 10}, 0.5f);
  const Tensor grid = data::image_grid(
      images, {.columns = 2, .scale = 3, .labels = {"ok", "no"}, .correct = {true, false}});
  REQUIRE(grid.size(0) == 3);  // coloured captions make an RGB grid
  // The darkest pixel of each caption strip has the caption's colour.
  auto caption_color = [&](int64_t x_begin) {
    int64_t best_x = -1, best_y = -1;
    float best = 3.0f;
    for (int64_t y = 2 + 30; y < grid.size(1); ++y)
      for (int64_t x = x_begin; x < x_begin + 30; ++x) {
        const float sum = grid.at({0, y, x}) + grid.at({1, y, x}) + grid.at({2, y, x});
        if (sum < best) best = sum, best_x = x, best_y = y;
      }
    REQUIRE(best_x >= 0);
    return data::Rgb{grid.at({0, best_y, best_x}), grid.at({1, best_y, best_x}),
                     grid.at({2, best_y, best_x})};
  };
  const data::Rgb right = caption_color(2), wrong = caption_color(2 + 30 + 2);
  CHECK(right.b == data::kCaptionRight.b);
  CHECK(right.r == data::kCaptionRight.r);
  CHECK(wrong.r == data::kCaptionWrong.r);
  CHECK(wrong.b == data::kCaptionWrong.b);
  // Explicit colours, one per image.
  const Tensor green = data::image_grid(images, {.labels = {"a", "b"},
                                                 .caption_colors = {{0, 1, 0}, {0, 1, 0}}});
  CHECK(green.size(0) == 3);
  // Black captions on gray images stay a gray grid.
  CHECK(data::image_grid(images, {.labels = {"a", "b"}}).size(0) == 1);
  // Viridis: a gray level of 0.5 becomes viridis' middle colour.
  const Tensor v = data::image_grid(images, {.colormap = data::Colormap::Viridis});
  REQUIRE(v.size(0) == 3);
  const data::Rgb mid = data::colormap_rgb(data::Colormap::Viridis, 0.5f);
  CHECK(v.at({0, 3, 3}) == mid.r);
  CHECK(v.at({1, 3, 3}) == mid.g);
  CHECK(v.at({2, 3, 3}) == mid.b);
  CHECK(v.at({0, 0, 0}) == 1.0f);  // the background stays white
  CHECK_THROWS_AS(data::image_grid(images, {.labels = {"a", "b"}, .correct = {true}}), ValueError);
  CHECK_THROWS_AS(data::image_grid(images, {.labels = {"a", "b"},
                                            .caption_colors = {{}, {}}, .correct = {true, true}}),
                  ValueError);
}

TEST_CASE("write_predictions_csv writes id,label rows") {
  TempDir dir;
  data::write_predictions_csv(dir / "p.csv", std::vector<int64_t>{3, 1});
  CHECK(read_text(dir / "p.csv") == "id,label\n0,3\n1,1\n");
  data::write_predictions_csv(dir / "q.csv", Tensor::from_vector({4.0f, 0.0f}, {2}), {100, 101},
                              "Id,Category");
  CHECK(read_text(dir / "q.csv") == "Id,Category\n100,4\n101,0\n");
  CHECK_THROWS_WITH_AS(data::write_predictions_csv(dir / "r.csv", std::vector<int64_t>{1}, {1, 2}),
                       doctest::Contains("2 ids for 1 predictions"), ValueError);
}
