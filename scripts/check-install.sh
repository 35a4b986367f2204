#!/usr/bin/env bash
# check-install.sh — does what README.md ("Installing") tells a user to do,
# against a fresh install of the release build (build/, made by
# scripts/test.sh) into a folder that is not a system one:
#   - programs are compiled with nothing but the README's command,
#       c++ my.cpp $(pkg-config --cflags --libs ember) -Wl,-rpath,$(pkg-config --variable=libdir ember)
#     and run with no LD_LIBRARY_PATH: tests/consumer/consumer.cpp (every
#     kernel family once, warnings as errors), and every whole-program block
#     of README.md (scripts/check-snippets.py --installed);
#   - the README's other way: built without the rpath, the program runs with
#     LD_LIBRARY_PATH set to the install's libdir.
#   bash scripts/check-install.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}

stage=$(mktemp -d /tmp/ember-install.XXXXXX)
trap 'rm -rf "$stage"' EXIT

# The install lands in $stage/<prefix>. ember.pc names its folders relative
# to itself (pkgconfig.relocatable, meson.build), so that tree is what
# `--prefix=$stage/<prefix>` would have installed, and pkg-config needs only
# PKG_CONFIG_PATH, as in the README. A build configured before meson.build
# set the option gets it here.
install_to_stage() {
  rm -rf "${stage:?}"/*
  meson install -C "$build" --destdir "$stage" >/dev/null
  pc=$(find "$stage" -name ember.pc -print -quit)
  if [[ -z "$pc" ]]; then
    echo "check-install: meson install wrote no ember.pc" >&2
    exit 1
  fi
}
install_to_stage
if ! grep -q '^prefix=${pcfiledir}' "$pc"; then
  echo "check-install: $build predates pkgconfig.relocatable=true; setting it"
  meson configure "$build" -Dpkgconfig.relocatable=true
  install_to_stage
fi

export PKG_CONFIG_PATH=$(dirname "$pc")
unset LD_LIBRARY_PATH
libdir=$(pkg-config --variable=libdir ember)
consumer=tests/consumer/consumer.cpp

# The README's command, then the program on its own.
c++ -Wall -Wextra -Wpedantic -Werror "$consumer" $(pkg-config --cflags --libs ember) \
  -Wl,-rpath,"$libdir" -o "$stage/consumer"
"$stage/consumer" >/dev/null
echo "check-install: $consumer built with pkg-config and the rpath, runs"

python3 scripts/check-snippets.py --installed README.md

# Without the rpath: LD_LIBRARY_PATH finds the library.
c++ "$consumer" $(pkg-config --cflags --libs ember) -o "$stage/consumer-no-rpath"
LD_LIBRARY_PATH="$libdir" "$stage/consumer-no-rpath" >/dev/null
echo "check-install: built without the rpath, runs with LD_LIBRARY_PATH=libdir"
echo "check-install: ok"
