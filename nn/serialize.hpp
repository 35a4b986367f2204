// serialize.hpp — weights on disk: .safetensors checkpoints and .npy arrays.
//
// .safetensors (the format of Hugging Face's safetensors library, read by
// PyTorch, numpy and JAX tools): 8 bytes little-endian u64 N, then N bytes of
// JSON {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
// ..., "__metadata__": {"key": "value"}} (padded with spaces to a multiple
// of 8), then the raw little-endian tensor bytes, offsets relative to the
// end of the header. Tensors are stored back to back in the order given.
//
// Writes are atomic (tensor/atomic_file.hpp): the file is written to a
// temporary file in the same directory, flushed to disk, then renamed over
// the target, so a crash leaves either the old file or the new one, never
// half of one.
// Reads check everything before returning (header length, JSON, dtypes,
// shapes against byte ranges, ranges covering the data exactly) and throw
// DataError naming the file and the tensor; load() into a module changes
// nothing unless every tensor is present with the right shape.
#pragma once

#include <map>
#include <string>

#include "module.hpp"

namespace ember::nn {

using Metadata = std::map<std::string, std::string>;

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const Metadata& metadata = {});
// Tensors in file order (by data offset). Metadata is returned through the
// optional pointer.
NamedTensors load_safetensors(const std::string& path, Metadata* metadata = nullptr);

// A module's state_dict() (parameters and buffers, dotted names).
void save(const Module& module, const std::string& path);
// Loads a checkpoint into a module: all or nothing (see load_state_dict).
void load(Module& module, const std::string& path);

// NumPy's .npy, format version 1.0, dtype '<f4', C order: np.load reads it.
void save_npy(const std::string& path, const Tensor& tensor);
Tensor load_npy(const std::string& path);  // '<f4', C order, version 1.0/2.0

}  // namespace ember::nn
