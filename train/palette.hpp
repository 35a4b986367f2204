// palette.hpp — the colours of categories in charts: matplotlib's "tab10",
// ten hues a reader tells apart (and the colours matplotlib users know: the
// first is the history charts' training blue, the second their validation
// orange). Class k of a scatter plot, or series k of a bar chart, is
// category_color(k); past ten the colours repeat.
#pragma once

#include <array>
#include <cstddef>
#include <string>

namespace ember::train {

inline constexpr std::array<const char*, 10> kCategoryColors = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

inline std::string category_color(size_t k) { return kCategoryColors[k % kCategoryColors.size()]; }

}  // namespace ember::train
