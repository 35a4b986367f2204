#!/usr/bin/env bash
# quickstart.sh — the main job: install, build in release mode, then train and
# evaluate a CNN on Fashion-MNIST. Extra arguments go to the quickstart
# program (see --help), e.g. bash scripts/quickstart.sh --epochs 1; a second
# run into the same output folder needs --overwrite (or another --output).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
if [[ ! -f build/build.ninja ]]; then
  meson setup build --buildtype=release
fi
meson compile -C build quickstart
exec ./build/tutorials/quickstart/quickstart "$@"
