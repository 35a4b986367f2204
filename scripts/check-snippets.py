#!/usr/bin/env python3
"""Keeps the code and output shown in markdown files equal to the real thing.

    scripts/check-snippets.py --build build FILE.md...           # check (the test)
    scripts/check-snippets.py --build build --update FILE.md...  # rewrite outputs and files
    scripts/check-snippets.py --installed README.md              # programs against an install
    scripts/check-snippets.py --build build --recorded --update FILE.md...  # and recorded runs

A folder stands for the markdown files in it (docs/ for docs/*.md).

Every fenced ```cpp block must carry a marker, an HTML comment on the line
before it (blank lines between are allowed), and every marker is checked:

  <!-- excerpt: tutorials/01-tensors/main.cpp -->
      The ```cpp block below is copied from that file (a path from the
      repository's root): it must appear there verbatim, leading and trailing
      blank lines aside. A line holding only `// ...` (or `# ...` in a
      Python excerpt) stands for lines left out; the pieces between must then
      appear in that order. An excerpt marker may precede a block of any
      language (```python lines of a script, say).

  <!-- program -->
      The ```cpp block below is a whole program: it is compiled and run, and
      must exit with 0. It is compiled as README.md tells a reader to build
      one: against the build without installing it,
        c++ program.cpp $(PKG_CONFIG_PATH=BUILD pkg-config --cflags --libs ember)
      (BUILD/ember-uninstalled.pc, written when meson configures), or with
      --installed against the ember that PKG_CONFIG_PATH finds,
        c++ program.cpp $(pkg-config --cflags --libs ember) \
            -Wl,-rpath,$(pkg-config --variable=libdir ember)
      It runs in a new empty folder without LD_LIBRARY_PATH.

  <!-- program not run: it reads CIFAR-10 from /data/cifar -->
      The same, compiled but not run, for a program that needs what a test
      machine lacks (files, minutes); the reason is required.

  <!-- output: build/tutorials/01-tensors/01-tensors --quick -->
  <!-- output views: build/tutorials/01-tensors/01-tensors --quick -->
      The ```text block below is what the command prints on stdout, run in a
      new empty folder (so relative --output folders land there); `build/` at
      its start means the --build folder. With a section name, only the part
      from the line starting with "== views" to the next line starting with
      "== ". Each command runs once per check however many blocks show it.
      The command `the program above` stands for the nearest program block
      above in the same file, and its block may be of any language (```dot).

  <!-- file 01-tensors-output/memory-layout.svg: build/tutorials/01-tensors/01-tensors --quick -->
      The link or image on the next line, e.g. ![...](memory-layout.svg), names
      a file (relative to the markdown file) that must equal the file the
      command writes at the given path (relative to the folder the command
      ran in, so here in the program's default --output folder). Before a
      fenced block instead (```dot, ```csv, ...), the block must hold the file.

  <!-- recorded: build/tutorials/04-logistic-regression/04-logistic-regression -->
  <!-- recorded test: build/tutorials/04-logistic-regression/04-logistic-regression -->
  <!-- recorded 04-logistic-regression-output/loss.svg: build/tutorials/04-... -->
      Like output (before a ```text block) and file (before a link, an image
      or another fenced block), for a run too long to repeat in every check:
      a chapter's documented default run, which takes minutes. The check does
      not run it, but a linked file must exist. With --recorded it is run and
      compared like the others (and --recorded --update rewrites it). The
      markdown says beside it when, where and at which commit it was recorded.

The only normalisation: "total time: 1.2 s" compares equal to any other
time. --update rewrites every output and file block from a fresh run and
copies every linked file; excerpts and programs are never rewritten (fix the
markdown or the code).
"""
import argparse
import concurrent.futures
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

MARKER = re.compile(r'^<!--\s*(excerpt|program|output|file|recorded)\b(.*?)-->\s*$')
FENCE = re.compile(r'^(\s*)(```+|~~~+)\s*([\w+-]*)')
CPP_LANGUAGES = {'cpp', 'c++', 'cxx'}
ELISIONS = ('// ...', '# ...')
PROGRAM_ABOVE = 'the program above'
NOT_RUN = re.compile(r'^not run:\s*\S')


class Block:
    """A fenced block: where it starts, its language, its lines, and its marker."""

    def __init__(self, line, language, body_start, lines):
        self.line = line              # the opening fence's line number (1-based)
        self.language = language
        self.body_start = body_start  # index of the first body line in the file's lines
        self.lines = lines
        self.marker = None            # (kind, argument text, marker line number)


def parse(text):
    """Fenced blocks of a markdown text, each with the marker that precedes it, and
    markers that precede a plain line (the `file` kind: an image or a link)."""
    lines = text.split('\n')
    blocks, line_markers = [], []
    pending = None  # the last marker seen, while only blank lines follow it
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i].strip())
        fence = FENCE.match(lines[i])
        if m:
            pending = (m.group(1), m.group(2).strip(), i + 1)
        elif fence:
            close = fence.group(2)
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(close):
                j += 1
            block = Block(i + 1, fence.group(3).lower(), i + 1, lines[i + 1:j])
            block.marker, pending = pending, None
            blocks.append(block)
            i = j
        elif lines[i].strip() and pending:
            line_markers.append((pending, i))
            pending = None
        i += 1
    return lines, blocks, line_markers


def normalise(lines):
    """What an output comparison ignores: the timing, and trailing blank lines."""
    out = [re.sub(r'^total time: [0-9.]+ s$', 'total time: (any) s', l.rstrip()) for l in lines]
    while out and not out[-1]:
        out.pop()
    return out


def trim(lines):
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def contains_in_order(haystack, pieces):
    """True when each piece (a list of lines) appears in haystack, each after the last."""
    start = 0
    for piece in pieces:
        for k in range(start, len(haystack) - len(piece) + 1):
            if haystack[k:k + len(piece)] == piece:
                start = k + len(piece)
                break
        else:
            return False
    return True


class Checker:
    def __init__(self, root, build, update, installed=False, recorded=False):
        self.root, self.build, self.update, self.installed = root, build, update, installed
        self.recorded = recorded  # also run the `recorded` markers' commands
        self.runs = {}   # command -> (stdout, folder it ran in)
        self.compiled = {}  # program text -> its executable, or the ValueError that stopped it
        self.programs = {}  # program text -> its stdout, or the ValueError that stopped it
        self.errors = []
        self.counts = dict(excerpt=0, program=0, compiled=0, output=0, file=0, recorded=0)
        self.scratch = Path(tempfile.mkdtemp(prefix='check-snippets-'))

    def error(self, where, message):
        self.errors.append(f'{where}: {message}')

    # ---- running the commands the markers name ------------------------------------------

    def run(self, command):
        if command not in self.runs:
            argv = shlex.split(command)
            if not argv:
                raise ValueError('an empty command')
            if argv[0].startswith('build/'):
                if self.build is None:
                    raise ValueError('needs --build to run ' + argv[0])
                argv[0] = str(self.build / argv[0][len('build/'):])
            folder = Path(tempfile.mkdtemp(dir=self.scratch))
            r = subprocess.run(argv, cwd=folder, capture_output=True, text=True, timeout=900)
            if r.returncode != 0:
                raise ValueError(f'`{command}` exited with {r.returncode}:\n{r.stderr}')
            self.runs[command] = (r.stdout, folder)
        return self.runs[command]

    def output_of(self, argument, program=None):
        """The lines a `output [SECTION]: COMMAND` marker stands for; `program` is
        the program block above, for the command `the program above`."""
        head, _, command = argument.partition(':')
        section = head.strip()
        if command.strip() != PROGRAM_ABOVE:
            stdout, _ = self.run(command.strip())
        elif program is None:
            raise ValueError(f'"{PROGRAM_ABOVE}": no <!-- program --> block above this one')
        else:
            try:
                stdout = self.program_output(program)
            except ValueError:
                raise ValueError(f'the program above (line {program.line}) did not run: see there')
        lines = stdout.rstrip('\n').split('\n')
        if not section:
            return lines
        starts = [k for k, l in enumerate(lines) if l.startswith('== ' + section)]
        if not starts:
            raise ValueError(f'`{command.strip()}` prints no section "== {section}"')
        end = next((k for k in range(starts[0] + 1, len(lines)) if lines[k].startswith('== ')),
                   len(lines))
        return trim(lines[starts[0]:end])

    # ---- the four kinds of marker ---------------------------------------------------------

    def check_excerpt(self, where, block, path):
        source = self.root / path
        if not source.is_file():
            return self.error(where, f'the excerpt names {path}, which does not exist')
        pieces, piece = [], []
        for line in block.lines:
            if line.strip() in ELISIONS:
                pieces.append(trim(piece))
                piece = []
            else:
                piece.append(line)
        pieces = [p for p in pieces + [trim(piece)] if p]
        if not contains_in_order(source.read_text().split('\n'), pieces):
            self.error(where, f'this excerpt is not in {path} as written (copy it again from '
                              f'the file; `// ...` or `# ...` lines may stand for lines left out)')

    def pkg_config(self, *args):
        """pkg-config's answer for ember: the build's uninstalled ember (README.md,
        "Without installing"), or with --installed the one PKG_CONFIG_PATH finds."""
        env = dict(os.environ)
        if self.installed:
            env['PKG_CONFIG_DISABLE_UNINSTALLED'] = '1'
        else:
            if self.build is None:
                raise ValueError('needs --build (or --installed) to compile a program')
            if not (self.build / 'ember-uninstalled.pc').is_file():
                raise ValueError(f'{self.build} has no ember-uninstalled.pc: reconfigure it '
                                 f'(meson setup --reconfigure {self.build})')
            env['PKG_CONFIG_PATH'] = str(self.build)
        r = subprocess.run(['pkg-config', *args, 'ember'], env=env, capture_output=True, text=True)
        if r.returncode != 0:
            raise ValueError('pkg-config does not find ember:\n' + r.stderr)
        return shlex.split(r.stdout)

    def compile(self, block):
        """Compiles a program block as README.md says to; returns the executable.
        Each text is compiled once (compile_all may have done it already)."""
        text = '\n'.join(block.lines)
        if text not in self.compiled:
            try:
                self.compiled[text] = self.compile_now(block)
            except (ValueError, OSError, subprocess.TimeoutExpired) as e:
                self.compiled[text] = ValueError(str(e))
        result = self.compiled[text]
        if isinstance(result, ValueError):
            raise result
        return result

    def compile_all(self, markdowns):
        """Compiles every program block of these files at once, one compiler per
        core: the compiles are most of the check's time."""
        blocks = [block for markdown in markdowns for block in parse(markdown.read_text())[1]
                  if block.language in CPP_LANGUAGES and block.marker
                  and block.marker[0] == 'program']
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            for block, result in zip(blocks, pool.map(self.try_compile, blocks)):
                self.compiled.setdefault('\n'.join(block.lines), result)

    def try_compile(self, block):
        try:
            return self.compile_now(block)
        except (ValueError, OSError, subprocess.TimeoutExpired) as e:
            return ValueError(str(e))

    def compile_now(self, block):
        folder = Path(tempfile.mkdtemp(dir=self.scratch))
        (folder / 'program.cpp').write_text('\n'.join(block.lines) + '\n')
        command = shlex.split(os.environ.get('CXX', 'c++'))
        command += [str(folder / 'program.cpp'), *self.pkg_config('--cflags', '--libs')]
        if self.installed:
            command.append('-Wl,-rpath,' + self.pkg_config('--variable=libdir')[0])
        command += ['-o', str(folder / 'program')]
        r = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise ValueError('this program does not compile:\n' + r.stderr[:3000])
        return folder / 'program'

    def program_output(self, block):
        """What a program block prints, compiled and run once per check."""
        text = '\n'.join(block.lines)
        if text not in self.programs:
            try:
                program = self.compile(block)
                env = {k: v for k, v in os.environ.items() if k != 'LD_LIBRARY_PATH'}
                r = subprocess.run([str(program)], cwd=program.parent, env=env,
                                   capture_output=True, text=True, timeout=120)
                if r.returncode != 0:
                    raise ValueError(f'this program exited with {r.returncode}:\n'
                                     f'{r.stderr[-3000:]}')
                self.programs[text] = r.stdout
            except (ValueError, OSError, subprocess.TimeoutExpired) as e:
                self.programs[text] = ValueError(str(e))
        result = self.programs[text]
        if isinstance(result, ValueError):
            raise result
        return result

    def check_program(self, where, block, argument):
        try:
            if not argument:
                self.counts['program'] += 1
                self.program_output(block)
            elif NOT_RUN.match(argument):
                self.counts['compiled'] += 1
                self.compile(block)
            else:
                self.error(where, 'a program marker is <!-- program --> or '
                                  '<!-- program not run: WHY -->')
        except (ValueError, OSError, subprocess.TimeoutExpired) as e:
            self.error(where, str(e))

    def produced(self, argument):
        """The file a `file PATH: COMMAND` marker names, freshly written by COMMAND."""
        path, _, command = argument.partition(':')
        _, folder = self.run(command.strip())
        fresh = folder / path.strip()
        if not fresh.is_file():
            raise ValueError(f'`{command.strip()}` wrote no {path.strip()}')
        return fresh

    def check_block(self, where, block, expected_of, argument, lines):
        """A block that must hold expected_of(argument); --update rewrites it."""
        try:
            expected = expected_of(argument)
        except (ValueError, OSError, subprocess.TimeoutExpired) as e:
            return self.error(where, str(e))
        if normalise(block.lines) == normalise(expected):
            return False
        if self.update:
            lines[block.body_start:block.body_start + len(block.lines)] = [l.rstrip() for l in expected]
            return True
        diff = difflib.unified_diff(block.lines, expected, 'markdown', 'now', lineterm='', n=1)
        self.error(where, 'this block is not what the program prints or writes now (run with '
                          '--update to rewrite it):\n' + '\n'.join(list(diff)[:40]))
        return False

    def check_link(self, where, markdown, line):
        """A recorded picture, not regenerated: the file it links must exist."""
        link = re.search(r'\]\(([^)\s]+)\)', line)
        if not link:
            self.error(where, 'a recorded marker must precede a fenced block, or a line with a '
                              'link or image')
        elif not (markdown.parent / link.group(1)).is_file():
            self.error(where, f'{link.group(1)} does not exist (record it with --recorded --update)')

    def check_file(self, where, markdown, argument, line):
        link = re.search(r'\]\(([^)\s]+)\)', line)
        if not link:
            return self.error(where, 'a file marker must precede a fenced block, or a line with '
                                     'a link or image')
        target = markdown.parent / link.group(1)
        try:
            fresh = self.produced(argument)
        except (ValueError, OSError, subprocess.TimeoutExpired) as e:
            return self.error(where, str(e))
        if target.is_file() and target.read_bytes() == fresh.read_bytes():
            return
        if self.update:
            shutil.copyfile(fresh, target)
            print(f'updated {target}')
        else:
            self.error(where, f'{link.group(1)} is not what `{argument.partition(":")[2].strip()}`'
                              ' writes now (run with --update to copy it)')

    # ---- one markdown file ---------------------------------------------------------------------

    def shown(self, markdown):
        """The path to name in messages: from the repository's root when inside it."""
        try:
            return markdown.resolve().relative_to(self.root)
        except ValueError:
            return markdown

    def check(self, markdown):
        text = markdown.read_text()
        lines, blocks, line_markers = parse(text)
        changed = False
        for (kind, argument, marker_line), index in line_markers:
            where = f'{self.shown(markdown)}:{marker_line}'
            if kind == 'file':
                self.counts['file'] += 1
                self.check_file(where, markdown, argument, lines[index])
            elif kind == 'recorded':
                self.counts['recorded'] += 1
                if self.recorded:
                    self.check_file(where, markdown, argument, lines[index])
                else:
                    self.check_link(where, markdown, lines[index])
            else:
                self.error(where, f'a {kind} marker must precede a fenced block')
        program_above, above = [], None  # for each block, the last program block before it
        for block in blocks:
            program_above.append(above)
            if block.language in CPP_LANGUAGES and block.marker and block.marker[0] == 'program':
                above = block
        # Bottom to top, so rewriting a block does not move the ones still to come.
        for block, program in reversed(list(zip(blocks, program_above))):
            where = f'{self.shown(markdown)}:{block.line}'
            kind, argument, marker_line = block.marker or (None, '', 0)
            if block.language in CPP_LANGUAGES:
                if kind == 'excerpt':
                    self.counts['excerpt'] += 1
                    self.check_excerpt(where, block, argument.lstrip(':').strip())
                elif kind == 'program':
                    self.check_program(where, block, argument.strip())
                else:
                    self.error(where, 'a ```cpp block needs a marker on the line before it: '
                                      '<!-- excerpt: PATH --> or <!-- program -->')
            elif kind == 'excerpt':
                self.counts['excerpt'] += 1
                self.check_excerpt(where, block, argument.lstrip(':').strip())
            elif kind == 'recorded':
                self.counts['recorded'] += 1
                if not self.recorded:
                    continue
                if block.language == 'text':
                    changed |= bool(self.check_block(where, block, self.output_of, argument, lines))
                else:
                    read = lambda a: self.produced(a).read_text().rstrip('\n').split('\n')
                    changed |= bool(self.check_block(where, block, read, argument, lines))
            elif kind == 'output':
                self.counts['output'] += 1
                command = argument.partition(':')[2].strip()
                if block.language != 'text' and command != PROGRAM_ABOVE:
                    self.error(where, 'an output marker must precede a ```text block')
                else:
                    output_of = lambda a, program=program: self.output_of(a, program)
                    changed |= bool(self.check_block(where, block, output_of, argument, lines))
            elif kind == 'file':
                self.counts['file'] += 1
                read = lambda a: self.produced(a).read_text().rstrip('\n').split('\n')
                changed |= bool(self.check_block(where, block, read, argument, lines))
            elif kind is not None:
                self.error(f'{self.shown(markdown)}:{marker_line}',
                           f'a {kind} marker cannot precede a ```{block.language} block')
        if changed:
            markdown.write_text('\n'.join(lines))
            print(f'updated {markdown}')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--build', type=Path, help='the meson build folder (for programs and outputs)')
    parser.add_argument('--root', type=Path, default=Path(__file__).resolve().parent.parent,
                        help='the repository root excerpt paths start from (default: this script\'s)')
    parser.add_argument('--update', action='store_true', help='rewrite output blocks and files')
    parser.add_argument('--installed', action='store_true',
                        help='compile programs against the installed ember that PKG_CONFIG_PATH '
                             'finds (with an rpath to it), not against --build')
    parser.add_argument('--recorded', action='store_true',
                        help='also run the commands of `recorded` markers (the long default runs)')
    parser.add_argument('markdown', nargs='+', type=Path, help='markdown files, or folders of them')
    args = parser.parse_args()
    args.markdown = [md for path in args.markdown
                     for md in (sorted(path.glob('*.md')) if path.is_dir() else [path])]
    checker = Checker(args.root.resolve(), args.build.resolve() if args.build else None, args.update,
                      args.installed, args.recorded)
    try:
        checker.compile_all(args.markdown)
        for markdown in args.markdown:
            checker.check(markdown)
    finally:
        shutil.rmtree(checker.scratch, ignore_errors=True)
    c = checker.counts
    print(f'{len(args.markdown)} markdown file(s): {c["excerpt"]} excerpt(s), {c["program"]} '
          f'program(s) run, {c["compiled"]} compiled only, {c["output"]} output block(s), '
          f'{c["file"]} file(s) checked; {c["recorded"]} recorded block(s) or file(s) ' +
          ('rerun' if args.recorded else 'not rerun (--recorded reruns them)'))
    def position(error):  # "file:line: message" -> (file, line), to report in reading order
        file, line, _ = error.split(':', 2)
        return file, int(line) if line.isdigit() else 0
    for e in sorted(checker.errors, key=position):
        print(e, file=sys.stderr)
    return 1 if checker.errors else 0


if __name__ == '__main__':
    sys.exit(main())
