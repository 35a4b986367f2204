// colormap.cpp — see colormap.hpp.
#include "colormap.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "../tensor/error.hpp"

namespace ember::data {
namespace {

// matplotlib's viridis (its 256-entry table, CC0) at t = 0, 0.1, ..., 1;
// linear interpolation between these stays within about 1% of the full table.
constexpr std::array<Rgb, 11> kViridis = {{
    {0.267004f, 0.004874f, 0.329415f},
    {0.282623f, 0.140926f, 0.457517f},
    {0.253935f, 0.265254f, 0.529983f},
    {0.206756f, 0.371758f, 0.553117f},
    {0.163625f, 0.471133f, 0.558148f},
    {0.127568f, 0.566949f, 0.550556f},
    {0.134692f, 0.658636f, 0.517649f},
    {0.266941f, 0.748751f, 0.440573f},
    {0.477504f, 0.821444f, 0.318195f},
    {0.741388f, 0.873449f, 0.149561f},
    {0.993248f, 0.906157f, 0.143936f},
}};

}  // namespace

Rgb colormap_rgb(Colormap map, float t) {
  t = std::isnan(t) ? 0.0f : std::clamp(t, 0.0f, 1.0f);
  switch (map) {
    case Colormap::Gray:
      return {t, t, t};
    case Colormap::Viridis: {
      const float at = t * static_cast<float>(kViridis.size() - 1);
      const size_t i = std::min(static_cast<size_t>(at), kViridis.size() - 2);
      const float f = at - static_cast<float>(i);
      const Rgb& a = kViridis[i];
      const Rgb& b = kViridis[i + 1];
      return {a.r + f * (b.r - a.r), a.g + f * (b.g - a.g), a.b + f * (b.b - a.b)};
    }
  }
  return {t, t, t};
}

Colormap colormap_from_name(const std::string& name) {
  if (name == "gray" || name == "grey") return Colormap::Gray;
  if (name == "viridis") return Colormap::Viridis;
  throw ValueError("unknown colormap '" + name + "'; expected gray or viridis");
}

}  // namespace ember::data
