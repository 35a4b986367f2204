// test_colormap.cpp — colormaps: ends, interpolation, clamping, names.
#include <doctest/doctest.h>

#include <cmath>

#include "data/colormap.hpp"
#include "tensor/error.hpp"

using namespace ember;

TEST_CASE("colormaps: gray is t itself; viridis runs from dark purple to yellow") {
  const data::Rgb g = data::colormap_rgb(data::Colormap::Gray, 0.25f);
  CHECK(g.r == 0.25f);
  CHECK(g.g == 0.25f);
  CHECK(g.b == 0.25f);
  // matplotlib's viridis at 0, 0.5 and 1 (#440154, #21918c, #fde725).
  const data::Rgb lo = data::colormap_rgb(data::Colormap::Viridis, 0.0f);
  const data::Rgb mid = data::colormap_rgb(data::Colormap::Viridis, 0.5f);
  const data::Rgb hi = data::colormap_rgb(data::Colormap::Viridis, 1.0f);
  CHECK(std::lround(lo.r * 255) == 0x44);
  CHECK(std::lround(lo.g * 255) == 0x01);
  CHECK(std::lround(lo.b * 255) == 0x54);
  CHECK(std::lround(mid.r * 255) == 0x21);
  CHECK(std::lround(mid.g * 255) == 0x91);
  CHECK(std::lround(mid.b * 255) == 0x8c);
  CHECK(std::lround(hi.r * 255) == 0xfd);
  CHECK(std::lround(hi.g * 255) == 0xe7);
  CHECK(std::lround(hi.b * 255) == 0x25);
  // Brightness grows with t (what makes it readable in gray print).
  float previous = -1.0f;
  for (int i = 0; i <= 20; ++i) {
    const data::Rgb c = data::colormap_rgb(data::Colormap::Viridis, i / 20.0f);
    const float luminance = 0.2126f * c.r + 0.7152f * c.g + 0.0722f * c.b;
    CHECK(luminance > previous);
    previous = luminance;
  }
  // Outside [0, 1] and NaN are clamped.
  CHECK(data::colormap_rgb(data::Colormap::Viridis, 7.0f).r == hi.r);
  CHECK(data::colormap_rgb(data::Colormap::Viridis, -1.0f).b == lo.b);
  CHECK(data::colormap_rgb(data::Colormap::Gray, std::nanf("")).r == 0.0f);
  CHECK(data::colormap_from_name("viridis") == data::Colormap::Viridis);
  CHECK(data::colormap_from_name("gray") == data::Colormap::Gray);
  CHECK_THROWS_AS(data::colormap_from_name("jet"), ValueError);
}
