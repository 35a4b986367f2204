#!/usr/bin/env python3
"""Makes a build folder usable without installing ember (README.md, "Without
installing"), at configure time (meson.build runs it).

    uninstalled-tree.py SOURCE_ROOT BUILD_ROOT VERSION HEADER...

Writes, under BUILD_ROOT:

  include/ember/<dir>/<name>.hpp  for each public HEADER (a path in the source
      tree): one line that includes the source file, so <ember/...> resolves
      as in an installed tree, to the same public headers, and the compiler's
      messages name the real file;
  ember-uninstalled.pc  a pkg-config file for that folder and the library
      built here, with an rpath to it, so that with PKG_CONFIG_PATH=BUILD_ROOT
      `pkg-config --cflags --libs ember` builds a program that runs where it is
      (pkg-config prefers NAME-uninstalled.pc to NAME.pc in the same folder).
"""
import shutil
import sys
from pathlib import Path

PC = '''# Written by scripts/uninstalled-tree.py when meson configured this folder:
# ember as built here, not installed. PKG_CONFIG_PATH={build} selects it.
prefix={build}
includedir=${{prefix}}/include
libdir=${{prefix}}

Name: ember
Description: ember, uninstalled (the build folder {build})
Version: {version}
Libs: -L${{libdir}} -Wl,-rpath,${{libdir}} -lember
Cflags: -I${{includedir}} -std=c++20
'''


def main():
    source, build, version = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(), sys.argv[3]
    tree = build / 'include' / 'ember'
    shutil.rmtree(tree, ignore_errors=True)  # a header that left the list leaves the tree
    for header in sys.argv[4:]:
        path = Path(header).resolve()
        forward = tree / path.relative_to(source)
        forward.parent.mkdir(parents=True, exist_ok=True)
        forward.write_text(f'// Forwards to the source file (scripts/uninstalled-tree.py).\n'
                           f'#include "{path}"\n')
    (build / 'ember-uninstalled.pc').write_text(PC.format(build=build, version=version))


if __name__ == '__main__':
    main()
