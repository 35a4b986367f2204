// checkpoint.hpp — a training checkpoint: everything a run needs to go on
// exactly where it stopped, in one file.
//
//   train::fit(*model, opt, loader, {.epochs = 10, .checkpoint = "run/checkpoint.safetensors"});
//   // ...the process dies in epoch 7. A new one builds the same model,
//   // optimizer, loader and callbacks (same options, same seeds), then:
//   train::fit(*model, opt, loader, {.epochs = 10, .checkpoint = "run/checkpoint.safetensors",
//                                    .resume_from = "run/checkpoint.safetensors"});
//   // runs epochs 7 to 10; with the same thread count the weights, losses
//   // and accuracies are those of a run never stopped, bit for bit.
//
// Weights alone (nn::save) are not enough to resume: the next steps also
// depend on the optimizer's state (Adam's m and v and its step count t, which
// scales the first steps; SGD's velocity), on the learning rate a schedule has
// reached, on the random numbers still to come (the loader's next shuffling
// order, dropout's masks) and on what the callbacks remember (ReduceLROnPlateau's
// best figure and patience). The checkpoint holds all of it:
//
//   tensors   model.<name>            the model's state_dict (parameters, buffers)
//             optimizer.<p>.<slot>    the optimizer's slots (optim::OptimizerState)
//             callback.<i>.<name>     a callback's tensors (EarlyStopping's best weights)
//   metadata  epoch, history.<column>           the epochs done and their figures
//             optimizer, optimizer.iterations, optimizer.lrs, optimizer.group_sizes
//             rng.global, rng.loader            the generators' states
//             callback.<i>, callback.<i>.<name> each stateful callback's kind and values
//             threads                           the thread count it was written with
//             checksum                          CRC-32 of everything above
//
// It is a .safetensors file (nn/serialize.hpp): Python's safetensors, numpy
// and PyTorch read its tensors, and its metadata are strings. It is written
// atomically (a crash leaves the previous checkpoint whole), and loading
// checks all of it before changing anything: a damaged file (the checksum),
// a weights-only file, another model, another optimizer or other callbacks are
// refused with an error naming the file and what differs.
//
// Not saved: a random transform's own generator (data::RandomCrop,
// RandomHorizontalFlip; give the resumed run's transform a fresh seed, or
// none); and a different thread count may change the last bits of sums, so
// the resumed numbers then differ slightly (the loader tells: `threads`).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../data/dataloader.hpp"
#include "../nn/module.hpp"
#include "../optim/optimizer.hpp"
#include "callbacks.hpp"
#include "history.hpp"

namespace ember::train {

// The objects a run is made of, by reference: what a training checkpoint is
// saved from and loaded into.
struct TrainingRun {
  nn::Module& model;
  optim::Optimizer& optimizer;
  // The training loader, whose shuffling generator is saved and restored;
  // nullptr: not saved (and, when loading, not restored).
  data::DataLoader* loader = nullptr;
  // Each callback with a state (Callback::state()) is saved by its position.
  std::vector<std::shared_ptr<Callback>> callbacks = {};
};

// Writes the state after `epoch` epochs (1-based: the last one finished)
// to `path`, atomically; `history` holds the epochs' figures.
void save_training_checkpoint(const std::string& path, const TrainingRun& run, int64_t epoch,
                              const History& history);

// What a loaded checkpoint says about where the run stopped.
struct ResumePoint {
  int64_t epoch = 0;     // epochs done: the run goes on with epoch + 1
  History history;       // their figures
  int threads = 0;       // the thread count the checkpoint was written with
};

// Reads `path`, checks everything (format, checksum, every name and shape
// against the model and the optimizer, the callbacks' kinds), then restores
// the model, the optimizer, the global generator, the loader's generator
// (when run.loader is given) and the callbacks' states (call it after their
// on_train_begin, which starts them afresh). Throws DataError (a damaged or
// weights-only file) or ValueError / ShapeError (another model, optimizer or
// callbacks), the message starting with the file's name; the model, the
// optimizer and the generators are then unchanged.
ResumePoint load_training_checkpoint(const std::string& path, const TrainingRun& run);

}  // namespace ember::train
