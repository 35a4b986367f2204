// atomic_file.hpp — writing a file so that a reader sees the old content or
// the new, never half of it. Every file ember writes goes through here: the
// data/ writers (PNG grids, prediction CSVs), nn/serialize (checkpoints) and
// train/ (the history CSV, the SVG charts).
//
//   write_file_atomically("out/history.csv", csv_text);
//   write_file_atomically("w.npy", [&](std::FILE* f) { return std::fwrite(p, 1, n, f) == n; },
//                         "save_npy");
//
// The content goes to a new temporary file beside the target
// ("<path>.tmp-<pid>-<n>", created exclusively, so two writers never share
// one), is flushed to the disk, and the temporary file is renamed over
// `path`. A rename within one folder is atomic: a reader, or a run that
// crashes half-way, finds either the previous file or the complete new one.
// The new file gets the permissions std::fopen would give it (0666 less the
// umask). On any failure the temporary file is removed and a DataError says
// "cannot write <path>: <why>", prefixed by "<op>: " when `op` is given.
//
// It lives in tensor/ beside error.hpp because nn/ and data/ both write
// files and neither may depend on the other.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace ember {

// `fill` writes the content into the open file and returns false when a
// write failed (std::fwrite wrote fewer bytes than asked).
void write_file_atomically(const std::string& path, const std::function<bool(std::FILE*)>& fill,
                           std::string_view op = {});

// The same with the content in memory.
void write_file_atomically(const std::string& path, std::string_view bytes,
                           std::string_view op = {});

}  // namespace ember
