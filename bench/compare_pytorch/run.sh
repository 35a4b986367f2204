#!/usr/bin/env bash
# run.sh — train the five tutorial models in ember and in PyTorch, interleaved,
# and print images/s, the ratio ember/PyTorch and each process's peak RSS.
#
#   bash bench/compare_pytorch/run.sh [--steps N] [--warmup W] [--threads T]
#                                     [--repeats R] [--models "cnn1:32 lenet5:64"]
#                                     [--build DIR] [--out FILE]
#
# Each repeat runs, per model, ember, then PyTorch with OPENBLAS_NUM_THREADS=1
# (its OpenMP threads do all the work), then PyTorch as installed (OpenBLAS's
# own pool too, and on two cores the two pools fight). Every run is its own
# process, so peak RSS is per run. The table quotes medians over the repeats.
# Raw JSON lines go to --out (default: a temporary file, printed at the end).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
steps=20 warmup=3 threads=2 repeats=3 build="$root/build" out=""
models="cnn1:32 cnn1:128 lenet5:64 cm1:500 mnist1:100 cifar:32"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) steps="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

ember="$build/bench/compare_ember"
if [[ ! -x "$ember" ]]; then
  echo "building $ember ..." >&2
  [[ -d "$build" ]] || meson setup "$build" "$root" >&2
  meson compile -C "$build" bench/compare_ember >&2
fi
python=/usr/bin/python3
if ! "$python" -c 'import torch' 2> /dev/null; then
  echo "run.sh: $python cannot import torch; install Debian's PyTorch (CPU) with" >&2
  echo "  apt-get install python3-torch" >&2
  exit 1
fi
out="${out:-$(mktemp /tmp/compare_pytorch.XXXXXX.jsonl)}"
: > "$out"

echo "# compare_pytorch: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs," \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# steps $steps (after $warmup warm-up), $threads threads, $repeats repeats;" \
     "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# ember: $(OPENBLAS_NUM_THREADS=$threads "$ember" --threads "$threads" --info 1)"

for ((r = 1; r <= repeats; r++)); do
  for spec in $models; do
    model="${spec%%:*}" batch="${spec##*:}"
    common=(--model "$model" --batch "$batch" --steps "$steps" --warmup "$warmup" --threads "$threads")
    echo "repeat $r/$repeats: $model batch $batch" >&2
    OPENBLAS_NUM_THREADS=$threads "$ember" "${common[@]}" >> "$out"
    OPENBLAS_NUM_THREADS=1 "$python" "$here/torch_train.py" "${common[@]}" >> "$out"
    env -u OPENBLAS_NUM_THREADS "$python" "$here/torch_train.py" "${common[@]}" >> "$out"
  done
done

echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg); raw runs: $out"
"$python" "$here/report.py" "$out"
