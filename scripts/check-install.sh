#!/usr/bin/env bash
# check-install.sh — installs ember from the release build (build/, made by
# scripts/test.sh) into a scratch staging directory and builds an outside
# program against it with nothing but pkg-config, then runs it.
#   bash scripts/check-install.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}

stage=$(mktemp -d /tmp/ember-stage.XXXXXX)
trap 'rm -rf "$stage"' EXIT
meson install -C "$build" --destdir "$stage" >/dev/null
pc=$(find "$stage" -name ember.pc -print -quit)
if [[ -z "$pc" ]]; then
  echo "check-install: meson install wrote no ember.pc" >&2
  exit 1
fi
# The .pc file names the real prefix; the sysroot variable makes pkg-config
# point its -I and -L flags into the staging directory instead.
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR="$stage"
libdir=$(pkg-config --variable=libdir ember)  # already inside the stage
c++ -std=c++20 -Wall -Wextra -Wpedantic -Werror tests/consumer/consumer.cpp \
  $(pkg-config --cflags --libs ember) -o "$stage/consumer"
LD_LIBRARY_PATH="$libdir" "$stage/consumer"
echo "check-install: ok"
