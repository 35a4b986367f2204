#!/usr/bin/env python3
"""The snippet check checks what it says (scripts/check-snippets.py).

    test_check_snippets.py CHECK_SNIPPETS [BUILD]

Builds a small repository in a temporary folder (a source file and a markdown
file using every marker), then breaks one thing at a time and expects the
check to fail naming the file and line; --update must repair an output block.
Recorded blocks are not run unless --recorded, which reruns and rewrites them.
With BUILD, a whole-program block is compiled and run against it too.
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SOURCE = '''#include <cstdio>

int twice(int x) {
  return 2 * x;
}

int main() {
  std::printf("%d\\n", twice(21));
}
'''

GOOD = '''# A chapter

<!-- excerpt: src/main.cpp -->

```cpp
int twice(int x) {
  return 2 * x;
}
```

With a gap:

<!-- excerpt: src/main.cpp -->
```cpp
int twice(int x) {
// ...
int main() {
```

<!-- output: /usr/bin/printf "== one ==\\\\na\\\\n== two ==\\\\nb\\\\ntotal time: 0.3 s\\\\n" -->
```text
== one ==
a
== two ==
b
total time: 9.9 s
```

<!-- output two: /usr/bin/printf "== one ==\\\\na\\\\n== two ==\\\\nb\\\\ntotal time: 0.3 s\\\\n" -->
```text
== two ==
b
total time: 0.1 s
```

<!-- file made.txt: /bin/sh -c "echo made > made.txt" -->
[the file](made.txt)

<!-- file made.txt: /bin/sh -c "echo made > made.txt" -->
```csv
made
```

<!-- excerpt: src/tool.py -->
```python
def twice(x):
# ...
    return 2 * x
```

```sh
echo not checked
```
'''

# A recorded run: not repeated by the check (this command would fail), unless --recorded.
RECORDED = '''
<!-- recorded: /bin/sh -c "echo long run; exit $FAIL" -->
```text
long run
```

<!-- recorded long.txt: /bin/sh -c "echo long > long.txt; exit $FAIL" -->
![the long run's file](long.txt)
'''

PROGRAM = '''
<!-- program -->
```cpp
#include <ember/ember.hpp>
int main() { return ember::Tensor::ones({2, 3}).sum().item() == 6.0f ? 0 : 1; }
```
'''

# A program with its output shown below it, and one that is compiled only.
PRINTING = '''
<!-- program -->
```cpp
#include <ember/ember.hpp>
#include <cstdio>
int main() { std::printf("%g\\n", ember::Tensor::ones({2, 3}).sum().item()); }
```

<!-- output: the program above -->
```text
6
```

<!-- program not run: it would fail -->
```cpp
int main() { return 1; }
```
'''


def check(script, root, *args, env=None):
    r = subprocess.run([sys.executable, script, '--root', str(root), *args,
                        str(root / 'README.md')], capture_output=True, text=True,
                       env=dict(os.environ, **(env or {})))
    return r.returncode, r.stdout + r.stderr


def main():
    script, build = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else None)
    failures = []

    def expect(what, ok, output):
        if not ok:
            failures.append(f'{what}:\n{output}')

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / 'src').mkdir()
        (root / 'src' / 'main.cpp').write_text(SOURCE)
        (root / 'src' / 'tool.py').write_text('def twice(x):\n    """Doubles."""\n    return 2 * x\n')
        (root / 'made.txt').write_text('made\n')
        readme = root / 'README.md'

        readme.write_text(GOOD)
        code, out = check(script, root)
        expect('a correct file passes', code == 0 and '3 excerpt(s)' in out and
               '2 output block(s)' in out and '2 file(s)' in out, out)

        readme.write_text(GOOD.replace('  return 2 * x;\n}\n```', '  return 3 * x;\n}\n```'))
        code, out = check(script, root)
        expect('a changed excerpt fails, naming the file and line', code == 1 and
               'README.md:5: this excerpt is not in src/main.cpp' in out, out)

        readme.write_text(GOOD.replace('    return 2 * x\n```', '    return 3 * x\n```'))
        code, out = check(script, root)
        expect('a changed Python excerpt fails', code == 1 and 'this excerpt is not in src/tool.py' in out, out)

        readme.write_text(GOOD.replace('<!-- excerpt: src/main.cpp -->\n```', '```'))
        code, out = check(script, root)
        expect('an unmarked cpp block fails', code == 1 and
               'README.md:13: a ```cpp block needs a marker' in out, out)

        readme.write_text(GOOD.replace('excerpt: src/main.cpp -->\n\n', 'excerpt: src/gone.cpp -->\n\n'))
        code, out = check(script, root)
        expect('an excerpt of a missing file fails', code == 1 and 'src/gone.cpp, which does not exist' in out, out)

        stale = GOOD.replace('== two ==\nb\ntotal time: 0.1 s', '== two ==\nc\ntotal time: 0.1 s')
        readme.write_text(stale)
        code, out = check(script, root)
        expect('a stale output block fails', code == 1 and 'is not what the program prints or writes now' in out, out)
        code, out = check(script, root, '--update')
        expect('--update rewrites it', code == 0 and readme.read_text() != stale, out)
        code, out = check(script, root)
        expect('and then it passes', code == 0, out)

        readme.write_text(GOOD.replace('```csv\nmade', '```csv\nold'))
        code, out = check(script, root)
        expect('a file block that differs from the file fails', code == 1 and
               'is not what the program prints or writes now' in out, out)

        (root / 'made.txt').write_text('old\n')
        readme.write_text(GOOD)
        code, out = check(script, root)
        expect('a stale file fails', code == 1 and 'made.txt is not what' in out, out)
        check(script, root, '--update')
        expect('--update copies the file', (root / 'made.txt').read_text() == 'made\n', out)

        (root / 'long.txt').write_text('long\n')
        readme.write_text(GOOD + RECORDED)
        code, out = check(script, root, env={'FAIL': '1'})
        expect('recorded blocks are counted, not run', code == 0 and '2 recorded' in out and
               'not rerun' in out, out)
        code, out = check(script, root, '--recorded', env={'FAIL': '1'})
        expect('--recorded runs them', code == 1 and 'exited with 1' in out, out)
        code, out = check(script, root, '--recorded', env={'FAIL': '0'})
        expect('--recorded passes when the run prints and writes what is recorded', code == 0, out)
        readme.write_text(GOOD + RECORDED.replace('```text\nlong run', '```text\nold run'))
        code, out = check(script, root, '--recorded', '--update', env={'FAIL': '0'})
        expect('--recorded --update rewrites a recorded block',
               code == 0 and 'long run' in readme.read_text(), out)
        (root / 'long.txt').unlink()
        readme.write_text(GOOD + RECORDED)
        code, out = check(script, root, env={'FAIL': '1'})
        expect('a recorded picture that does not exist fails', code == 1 and
               'long.txt does not exist' in out, out)
        readme.write_text(GOOD + RECORDED.replace('<!-- recorded long.txt', '<!-- recorded x.txt')
                          .replace('![the long run\'s file](long.txt)', 'no link here'))
        code, out = check(script, root, env={'FAIL': '1'})
        expect('a recorded marker before a line without a link fails', code == 1 and
               'a recorded marker must precede' in out, out)

        if build:
            readme.write_text(GOOD + PROGRAM)
            code, out = check(script, root, '--build', build)
            expect('a whole program compiles and runs', code == 0 and '1 program(s)' in out, out)
            readme.write_text(GOOD + PROGRAM.replace('6.0f', '7.0f'))
            code, out = check(script, root, '--build', build)
            expect('a program that exits non-zero fails', code == 1 and 'exited with 1' in out, out)

            readme.write_text(GOOD + PRINTING)
            code, out = check(script, root, '--build', build)
            expect('a program\'s output block, and a program compiled only, pass', code == 0 and
                   '1 program(s) run, 1 compiled only' in out and '3 output block(s)' in out, out)
            readme.write_text(GOOD + PRINTING.replace('```text\n6\n', '```text\n7\n'))
            code, out = check(script, root, '--build', build)
            expect('a program\'s stale output block fails', code == 1 and
                   'is not what the program prints' in out, out)
            readme.write_text(GOOD + PRINTING.replace('not run: it would fail', 'not run'))
            code, out = check(script, root, '--build', build)
            expect('"not run" without a reason fails', code == 1 and
                   'program not run: WHY' in out, out)
            readme.write_text(GOOD + PRINTING.replace('int main() { return 1; }', 'int main() {'))
            code, out = check(script, root, '--build', build)
            expect('a program that is compiled only must compile', code == 1 and
                   'does not compile' in out, out)

    for f in failures:
        print('FAILED:', f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
